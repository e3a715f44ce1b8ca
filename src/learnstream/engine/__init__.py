"""The engine: executor, core step runtimes, and keyed state (C core or Python twin)."""
