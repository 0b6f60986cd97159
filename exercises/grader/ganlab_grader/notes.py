"""The grader's notes on one submission: what it repaired, chose or left out, in two languages.

A note reads as its English text wherever a string goes (``grades.csv``, the log, the
gradebook), because the instructor reads those. The learner reads it on the feedback page, in
the language of the notebook they handed in: :func:`say` gives that text.

    >>> note = Note("test cell missing", cell="test_part2")
    >>> str(note)
    "test cell 'test_part2' was missing: restored from the assignment"
    >>> say(note, "ko")
    "테스트 셀 'test_part2'가 없어서 과제에서 다시 넣었습니다"
"""
from __future__ import annotations

from typing import Callable


def _several_notebooks(words: dict[str, str]) -> Callable[..., str]:
    def text(count, notebooks, counted):
        listed = ", ".join(f"{name}: {score:g}/{max_score:g}" + (f" {words['broken']}" if broken else "")
                           for name, score, max_score, broken in notebooks)
        return words["sentence"].format(count=count, listed=listed, counted=counted)
    return text


#: key -> language -> the text (``str.format`` fields) or a function of the fields.
TEMPLATES: dict[str, dict[str, str | Callable[..., str]]] = {
    "foreign cell": {
        "en": "cell {cell!r} is not in the assignment: graded as the learner's own cell",
        "ko": "셀 {cell!r}: 과제에 없는 셀이라 여러분이 만든 셀로 보고 채점했습니다"},
    "second copy": {
        "en": "a second copy of cell {cell!r} was ignored",
        "ko": "셀 {cell!r}의 두 번째 복사본은 채점하지 않았습니다"},
    "grade_id changed": {
        "en": "cell {cell!r} had its grade_id changed to {new!r}: restored",
        "ko": "셀 {cell!r}: grade_id가 {new!r}(으)로 바뀌어 있어 되돌렸습니다"},
    "cell type changed": {
        "en": "cell {cell!r} was turned into {kind}: restored",
        "ko": "셀 {cell!r}: {kind} 셀로 바뀌어 있어 되돌렸습니다"},
    "metadata edited": {
        "en": "cell {cell!r} had its nbgrader metadata edited: restored",
        "ko": "셀 {cell!r}: nbgrader 메타데이터가 고쳐져 있어 되돌렸습니다"},
    "test cell missing": {
        "en": "test cell {cell!r} was missing: restored from the assignment",
        "ko": "테스트 셀 {cell!r}가 없어서 과제에서 다시 넣었습니다"},
    "top cells deleted": {
        "en": "the read-only cells at the top ({cells}) were deleted: put back first, before any "
              "learner code",
        "ko": "맨 위의 읽기 전용 셀({cells})이 지워져 있어, 여러분의 코드보다 먼저 오도록 맨 앞에 "
              "다시 넣었습니다"},
    "top cells moved": {
        "en": "the read-only cells at the top ({cells}) were moved: put back first, before any "
              "learner code",
        "ko": "맨 위의 읽기 전용 셀({cells})이 옮겨져 있어, 여러분의 코드보다 먼저 오도록 맨 앞으로 "
              "되돌렸습니다"},
    "another assignment": {
        "en": "not graded: {name} looks like {other}, not {assignment} (its cells are those of "
              "{other}): put it in {student}/{other}/ and grade again",
        "ko": "채점하지 않음: {name}은(는) {assignment}가 아니라 {other}의 노트북으로 보입니다"
              "(셀이 {other}의 것입니다). {student}/{other}/에 넣고 다시 채점하세요"},
    "several notebooks": {
        "en": _several_notebooks({"broken": "broken", "sentence":
                                  "{count} notebooks in the folder ({listed}): the best counts, {counted}"}),
        "ko": _several_notebooks({"broken": "채점 불가", "sentence":
                                  "폴더에 노트북이 {count}개 있었습니다({listed}). 가장 좋은 것이 "
                                  "점수가 됩니다: {counted}"})},
}


def _text(key: str, language: str, fields: dict) -> str:
    template = TEMPLATES[key].get(language, TEMPLATES[key]["en"])
    return template(**fields) if callable(template) else template.format(**fields)


class Note(str):
    """A note that is its English text, and knows how to say itself in another language."""

    def __new__(cls, key: str, **fields):
        if key not in TEMPLATES:
            raise KeyError(f"no note called {key!r}; the notes are: {', '.join(TEMPLATES)}")
        note = super().__new__(cls, _text(key, "en", fields))
        note.key, note.fields = key, fields
        return note

    def __getnewargs_ex__(self):  # pickled (a process pool) as its key and fields
        return (self.key,), self.fields


def say(note: str, language: str) -> str:
    """The note in ``language``; a plain string (a note that came back as JSON) as it is."""
    if isinstance(note, Note):
        return _text(note.key, language, note.fields)
    return str(note)
