# nbgrader configuration of the course (read by `nbgrader ...` run inside exercises/ and by
# `python -m ganlab_grader`, which copies it into every temporary course it creates).
c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "gan-course"
# Learners write their code where `raise NotImplementedError()` stands in the release.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Autograding: restore deleted test cells; a cell may run for the default cell timeout.
c.OverwriteCells.add_missing_cells = True
from ganlab_grader.limits import DEFAULTS  # noqa: E402 (the limits are written once, there)
c.Execute.timeout = DEFAULTS.cell_timeout
