"""The checks of each part of the course, one module per part (see `learnstream.grading`)."""
