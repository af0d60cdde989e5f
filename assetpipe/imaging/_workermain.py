"""The main module image workers are prepared with (see ``pool._main_as_worker``): deliberately
empty, so starting a worker never re-runs the caller's script."""
