"""Ready-made sources and sinks: files, the terminal, and simulated streams for the course."""
