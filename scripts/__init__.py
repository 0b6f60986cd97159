"""Maintenance scripts of the course (run them with `python -m scripts.<name>`)."""
