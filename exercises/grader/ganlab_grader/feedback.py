"""Feedback HTML for one graded notebook: scores and visible tests, never the hidden tests.

The autograded notebook holds the hidden tests (nbgrader put them back to run them). Before
rendering, every locked cell gets the *release's* text again (the release has no hidden
test), error outputs keep only their one-line message (a traceback would print the hidden
test's source lines around the failure), and any output line that quotes a hidden test's line
is blanked. A summary table with the points per test comes first. Last, :func:`check_no_hidden`
reads the finished page and raises :class:`HiddenTextError` if any hidden text survived.

The page reads offline: it loads no script from the network (no MathJax, require.js or
mermaid from a CDN). The maths of the markdown cells is turned into MathML here, which
browsers display natively (``latex2mathml``; without it the TeX source stays as code).
"""
from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import nbformat

try:
    from . import notes as notes_mod
except ImportError:  # imported as a top-level module by the runner
    import notes as notes_mod

_MIN_LINE = 12  # hidden lines shorter than this ("else:", ")") are not worth scrubbing


class HiddenTextError(RuntimeError):
    """Hidden test text reached a feedback page; the page must not be sent.
    First used in assignment 01-minimax."""


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


def strip_hidden(nb, release: dict, hidden: dict[str, list[str]], language: str = "en") -> dict[str, str]:
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
                    evalue = WORDS.get(language, WORDS["en"])["not answered"]
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


#: The page's own words, in the language of the graded notebook (its release's language).
WORDS = {
    "en": {"feedback": "Feedback", "score": "Score", "test": "test", "points": "points",
           "result": "result", "passed": "passed", "failed": "failed",
           "notes": "Notes from the grader:", "not answered": "not answered yet"},
    "ko": {"feedback": "피드백", "score": "점수", "test": "테스트", "points": "배점",
           "result": "결과", "passed": "통과", "failed": "실패",
           "notes": "채점기의 메모:", "not answered": "아직 답하지 않았습니다"},
}


def summary_markdown(title: str, scores: dict[str, list[float]], failures: dict[str, str],
                     notes: list[str] | None = None, language: str = "en") -> str:
    """The page's first cell: the score, a row per test, the grader's notes."""
    words = WORDS.get(language, WORDS["en"])
    total = sum(s for s, _ in scores.values())
    possible = sum(m for _, m in scores.values())
    rows = [f"| {words['test']} | {words['points']} | {words['result']} |", "| --- | --- | --- |"]
    for grade_id, (score, max_score) in scores.items():
        result = words["passed"] if score >= max_score else failures.get(grade_id, words["failed"])
        result = html.escape(result).replace("|", "\\|")
        rows.append(f"| `{grade_id}` | {score:g} / {max_score:g} | {result} |")
    text = [f"# {words['feedback']}: {title}", "", f"**{words['score']}: {total:g} / {possible:g}**", "", *rows]
    return "\n".join(text) + "\n\n" + _notes_html(notes or [], language)


_NOTES_START, _NOTES_END = "<!-- grader-notes -->", "<!-- /grader-notes -->"
_NOTE_ITEM = re.compile(r"<li>(.*?)</li>", re.S)


def _notes_html(notes: list[str], language: str, said: list[str] = ()) -> str:
    """The notes block: ``said`` (already in HTML) and then ``notes``, in language."""
    items = [*said, *(html.escape(notes_mod.say(n, language)) for n in notes)]
    if not items:
        return f"{_NOTES_START}{_NOTES_END}"
    heading = WORDS.get(language, WORDS["en"])["notes"]
    return "\n".join([_NOTES_START, f"<p>{heading}</p>", "<ul>", *(f"<li>{i}</li>" for i in items),
                      "</ul>", _NOTES_END])


def add_notes(page: str, notes: list[str], language: str = "en") -> str:
    """The feedback page with more notes from the grader (those written once the whole
    folder was graded: which of its notebooks counted). First used in assignment 01-minimax."""
    start, end = page.find(_NOTES_START), page.find(_NOTES_END)
    if not notes or start < 0 or end < start:
        return page
    said = _NOTE_ITEM.findall(page[start:end])
    return page[:start] + _notes_html(notes, language, said) + page[end + len(_NOTES_END):]


# --- maths without a CDN -------------------------------------------------------------------

# Fenced code, inline code, then display and inline maths (a lone "$" stays text).
_MARKDOWN_PIECES = re.compile(
    r"(?P<fence>^```.*?^```[^\n]*$)|(?P<code>`[^`\n]+`)"
    r"|\$\$(?P<display>.+?)\$\$|(?<![\\$])\$(?P<inline>[^\s$](?:[^$\n]*?[^\s\\$])?)\$(?!\d)",
    re.S | re.M)


def _mathml(tex: str, display: bool) -> str:
    try:
        from latex2mathml.converter import convert
        return convert(tex.strip(), display="block" if display else "inline").replace("\n", " ")
    except Exception:  # no converter, or TeX it does not know: show the source as code
        return f"<code>{html.escape(tex.strip())}</code>"


def maths_to_mathml(markdown: str) -> str:
    """``markdown`` with every ``$...$`` and ``$$...$$`` outside code turned into MathML.
    First used in assignment 01-minimax."""
    def replace(match: re.Match) -> str:
        if match.group("fence") or match.group("code"):
            return match.group(0)
        if match.group("display") is not None:
            return "\n\n" + _mathml(match.group("display"), True) + "\n\n"
        return _mathml(match.group("inline"), False)
    return _MARKDOWN_PIECES.sub(replace, markdown)


# The lab template without the scripts it would fetch from a CDN.
_OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block html_head_js_requirejs %}{% endblock html_head_js_requirejs %}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{% block html_head_js_mathjax %}{% endblock html_head_js_mathjax %}
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
"""


def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", template_file="feedback.html.j2",
                            extra_loaders=[DictLoader({"feedback.html.j2": _OFFLINE_TEMPLATE})])
    exporter.exclude_input_prompt = False
    return exporter


def check_no_hidden(page: str, hidden: dict[str, list[str]], release: dict) -> None:
    """Raise :class:`HiddenTextError` if ``page`` quotes a hidden test: a whole block, or a
    line of one (as text or HTML-escaped) that the release itself does not hold.
    First used in assignment 01-minimax."""
    released = "\n".join(_text(c) for c in release.get("cells", []))
    for grade_id, blocks in hidden.items():
        for block in blocks:
            quoted = [block.strip()] + [line for line in _hidden_lines({grade_id: [block]})
                                        if line not in released]
            for text in quoted:
                if text and (text in page or html.escape(text) in page
                             or html.escape(text, quote=False) in page):
                    raise HiddenTextError(f"the feedback page quotes the hidden test of "
                                          f"{grade_id!r} ({text[:40]!r}...)")


def _text(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def render(autograded: Path, release: dict, hidden: dict[str, list[str]],
           scores: dict[str, list[float]], title: str,
           notes: list[str] | None = None, language: str = "en") -> tuple[str, dict[str, str]]:
    """(HTML, failures) for the autograded notebook at ``autograded``; raises
    :class:`HiddenTextError` rather than return a page that quotes a hidden test.
    First used in assignment 01-minimax."""
    nb = nbformat.read(str(autograded), as_version=4)
    failures = strip_hidden(nb, release, hidden, language)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(
        summary_markdown(title, scores, failures, notes, language)))
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = maths_to_mathml(cell.source)
    nb.metadata.pop("widgets", None)
    body, _ = _exporter().from_notebook_node(copy.deepcopy(nb))
    try:
        check_no_hidden(body, hidden, release)
    except HiddenTextError as error:
        error.failures = failures  # the scores' reasons stay usable without the page
        raise
    return body, failures
