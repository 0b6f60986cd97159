"""Builders of the nbgrader source notebooks: one module per assignment, defining NAME and build().

See cells.py for the cell builders and scripts/build_assignments.py for the command.
"""
