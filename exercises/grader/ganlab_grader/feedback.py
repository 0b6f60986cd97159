"""Feedback HTML for one graded notebook: scores and visible tests, never the hidden tests.

The autograded notebook holds the hidden tests (nbgrader put them back to run them). Before
rendering, every locked cell gets the *release's* text again (the release has no hidden
test), error outputs keep only their one-line message (a traceback would print the hidden
test's source lines around the failure), and any output line that quotes a hidden test's line
is blanked. A summary table with the points per test comes first.
"""
from __future__ import annotations

import copy
import html
from pathlib import Path

import nbformat

_MIN_LINE = 12  # hidden lines shorter than this ("else:", ")") are not worth scrubbing


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _hidden_lines(hidden: dict[str, list[str]]) -> list[str]:
    lines = set()
    for blocks in hidden.values():
        for block in blocks:
            for line in block.splitlines():
                line = line.strip()
                if len(line) >= _MIN_LINE:
                    lines.add(line)
    return sorted(lines, key=len, reverse=True)


def _scrub_text(text: str, lines: list[str]) -> str:
    for line in lines:
        if line in text:
            text = text.replace(line, "[hidden test]")
    return text


def first_line(text: str, limit: int = 200) -> str:
    text = (text or "").strip().splitlines()
    return text[0][:limit] if text else ""


def strip_hidden(nb, release: dict, hidden: dict[str, list[str]]) -> dict[str, str]:
    """Remove hidden tests from ``nb`` in place; return grade_id -> first error of that cell."""
    released = {_meta(c).get("grade_id"): c for c in release["cells"] if _meta(c).get("grade_id")}
    lines = _hidden_lines(hidden)
    failures = {}
    for cell in nb.cells:
        meta = _meta(cell)
        grade_id = meta.get("grade_id")
        if grade_id in released and not meta.get("solution"):
            cell.source = released[grade_id]["source"]
        elif grade_id in hidden:  # a test cell with an unexpected shape: drop hidden blocks
            for block in hidden[grade_id]:
                cell.source = cell.source.replace(block, "")
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error":
                ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
                if ename == "NotImplementedError" and not evalue.strip():
                    evalue = "not answered yet"
                message = f"{ename}: {evalue}" if evalue else ename
                message = _scrub_text(message, lines)
                output["evalue"] = _scrub_text(output.get("evalue", ""), lines)
                output["traceback"] = [message]
                if meta.get("grade") and grade_id not in failures:
                    failures[grade_id] = first_line(message)
            elif kind == "stream":
                output["text"] = _scrub_text(output.get("text", ""), lines)
            elif kind in ("display_data", "execute_result"):
                data = output.get("data", {})
                for mime in list(data):
                    if mime.startswith("text/"):
                        value = data[mime]
                        value = "".join(value) if isinstance(value, list) else value
                        data[mime] = _scrub_text(value, lines)
    return failures


def summary_markdown(title: str, scores: dict[str, list[float]], failures: dict[str, str],
                     notes: list[str] | None = None) -> str:
    total = sum(s for s, _ in scores.values())
    possible = sum(m for _, m in scores.values())
    rows = ["| test | points | result |", "| --- | --- | --- |"]
    for grade_id, (score, max_score) in scores.items():
        result = "passed" if score >= max_score else failures.get(grade_id, "failed")
        result = html.escape(result).replace("|", "\\|")
        rows.append(f"| `{grade_id}` | {score:g} / {max_score:g} | {result} |")
    text = [f"# Feedback: {title}", "", f"**Score: {total:g} / {possible:g}**", "", *rows]
    if notes:
        text += ["", "Notes from the grader:", ""] + [f"* {html.escape(n)}" for n in notes]
    return "\n".join(text)


def render(autograded: Path, release: dict, hidden: dict[str, list[str]],
           scores: dict[str, list[float]], title: str,
           notes: list[str] | None = None) -> tuple[str, dict[str, str]]:
    """(HTML, failures) for the autograded notebook at ``autograded``."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(autograded), as_version=4)
    failures = strip_hidden(nb, release, hidden)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(
        summary_markdown(title, scores, failures, notes)))
    nb.metadata.pop("widgets", None)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input_prompt = False
    body, _ = exporter.from_notebook_node(copy.deepcopy(nb))
    for blocks in hidden.values():  # belt and braces: no hidden block may survive
        for block in blocks:
            assert block.strip() not in body, "hidden test text in the feedback"
    return body, failures
