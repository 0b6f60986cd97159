"""The assignments in Korean (issue 12): complete, current, the same tests, and graded alike.

Each Korean notebook is the English source notebook with its Markdown from ``text.ko.md`` and
the texts in its code from ``messages.ko.toml`` (:mod:`ganlab_grader.build.translate`). Here,
without a kernel (as tests/test_assignment_code.py does for English):

* every text is translated, and none is stale (the test names what to do);
* the Korean notebook has the English one's cells, ids and points, and its code is the
  English code but for the words in strings and comments (and the setup cell's
  ``checks.use_language("ko")``): the same hidden tests;
* run in one namespace, the Korean solutions get full marks, the release as handed out gets 0,
  and every classic mistake fails exactly its test cells, with its message in Korean.

tests/test_grading_end_to_end.py grades a Korean release with the real grader.
"""
from __future__ import annotations

import ast
import re

import pytest

from ganlab import exercise_checks as checks
from ganlab_grader import build as builder
from ganlab_grader.build import translate
from test_assignment_code import SOLUTION_REGION, meta, run_notebook, score

ASSIGNMENTS = builder.discover()
NAMES = sorted(ASSIGNMENTS)
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def notebooks():
    """{name: (English notebook, Korean notebook)}."""
    return {name: (a.build(), a.build("ko")) for name, a in ASSIGNMENTS.items()}


@pytest.fixture(autouse=True)
def english_checks_afterwards():
    yield
    checks.use_language("en")  # the Korean setup cell switched them; other tests read English


@pytest.mark.parametrize("name", NAMES)
def test_translation_is_complete_and_current(name):
    """Nothing missing, untranslated or stale (`python -m ganlab_grader.build translate status`)."""
    assignment = ASSIGNMENTS[name]
    found = translate.problems(assignment.build(), assignment.folder, "ko")
    assert not found, (f"{name} in Korean is not complete; run `cd exercises/grader && python -m "
                       f"ganlab_grader.build.translate status {name}`:\n  " + "\n  ".join(found))


@pytest.mark.parametrize("name", NAMES)
def test_korean_text_is_korean(name, notebooks):
    english, korean = notebooks[name]
    for en, ko in zip(english.cells, korean.cells):
        if en.cell_type == "markdown":
            assert len(HANGUL.findall(ko.source)) >= 0.2 * len(re.findall(r"[A-Za-z]+", en.source)), \
                f"{name}, {meta(en)['grade_id']}: little Hangul; is this cell translated?"
    table = translate.table_for(ASSIGNMENTS[name].folder, "ko")
    # (a text of code names and numbers may stay as it is, but then it was edited on purpose)
    untranslated = [e for e, k in table.items() if not HANGUL.search(k) and k == e]
    assert not untranslated, f"{name}: translations that are the English itself: {untranslated[:3]}"


def _normalised(source: str) -> str:
    """source's syntax tree with every string emptied, every f-string reduced to its fields."""
    tree = ast.parse(translate._parseable(source))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
        elif isinstance(node, ast.JoinedStr):
            node.values = sorted((v for v in node.values if isinstance(v, ast.FormattedValue)),
                                 key=ast.unparse)
    return ast.dump(tree)


@pytest.mark.parametrize("name", NAMES)
def test_korean_notebook_has_the_same_cells_and_code(name, notebooks):
    english, korean = notebooks[name]
    assert korean.metadata["ganlab"] == {"language": "ko"}
    assert [(c.cell_type, c.id, c.metadata) for c in english.cells] == \
        [(c.cell_type, c.id, c.metadata) for c in korean.cells]
    for en, ko in zip(english.cells, korean.cells):
        if en.cell_type != "code":
            continue
        ko_source = ko.source
        if meta(en)["grade_id"] == "setup":
            line = translate.USE_LANGUAGE.format(lang="ko", note=translate._NOTES["ko"])
            assert line in ko_source
            ko_source = ko_source.replace(line + "\n", "")
        assert _normalised(en.source) == _normalised(ko_source), \
            f"{name}, {meta(en)['grade_id']}: the Korean code differs from the English in more than words"


@pytest.mark.parametrize("name", NAMES)
def test_korean_solutions_full_marks_release_zero(name, notebooks):
    _, korean = notebooks[name]
    results = run_notebook(korean)
    got, possible = score(korean, results)
    assert got == possible, {g: e for g, e in results.items() if e}
    released = {meta(c)["grade_id"]: SOLUTION_REGION.sub(r"\1raise NotImplementedError()", c.source)
                for c in korean.cells if meta(c).get("solution")}
    got, _ = score(korean, run_notebook(korean, released))
    assert got == 0


def _pieces(template: str) -> list[str]:
    """The words of an f-string template between its fields."""
    return [p.strip() for p in re.split(r"\{[^{}]*\}", template) if p.strip()]


def _korean_words(english_words: str, table: dict[str, str]) -> list[str]:
    """What a Korean message holds where the English one holds english_words: the longest
    piece (between fields) of each translation whose English holds them. The words may
    include a value a field filled in ("did not update D" from "{x} did not update {name}"),
    so they match a piece that holds them less their first or last word too."""
    words = english_words.split()
    candidates = {english_words, " ".join(words[1:]), " ".join(words[:-1])} - {""}
    found = []
    for english, korean in table.items():
        pieces = _pieces(english)
        if any(c in piece for c in candidates for piece in pieces if len(c) >= 4) \
                or any(len(piece) >= 8 and piece in english_words for piece in pieces):
            found.append(max(_pieces(korean), key=len))
    return found


MISTAKES = [(name, mistake.name) for name in NAMES for mistake in ASSIGNMENTS[name].mistakes]


@pytest.mark.parametrize("name,label", MISTAKES)
def test_classic_mistake_fails_only_its_tests_in_korean(name, label, notebooks):
    """The mistake fails the same test cells in the Korean notebook, with the translation of
    the English message's words (or those words themselves, where they are code)."""
    mistake = next(m for m in ASSIGNMENTS[name].mistakes if m.name == label)
    _, korean = notebooks[name]
    source = next(c.source for c in korean.cells if meta(c).get("grade_id") == mistake.cell)
    results = run_notebook(korean, {mistake.cell: source.replace(mistake.old, mistake.new)})
    failed = sorted(g for g, error in results.items() if error)
    assert set(failed) == set(mistake.fails), f"failed {failed}, expected {sorted(mistake.fails)}"
    table = {**{m["en"]: m["ko"] for m in checks._MESSAGES.values()},  # the checks' own
             **translate.table_for(ASSIGNMENTS[name].folder, "ko")}
    for grade_id, words in mistake.fails.items():
        message = results[grade_id]
        # no table holds the words: then the values and code in them ("0.0" of "got 0.0")
        code = " ".join(w for w in words.split() if not translate._WORD.match(w))
        wanted = _korean_words(words, table) or [code or words]
        assert any(w in message for w in wanted), \
            f"{grade_id}: the Korean message should hold one of {wanted}, got {message!r}"
        assert HANGUL.search(message), f"{grade_id}: the message is not in Korean: {message!r}"


# --- the machinery ------------------------------------------------------------------------

def test_texts_finds_strings_fstrings_docstrings_comments_with_words():
    source = ('def f(x):\n    """Fréchet distance of x."""\n    y = "mean"  # the mean of x\n'
              '    assert x, f"{x:.3f} is not positive here"\n    return "d_real"\n')
    found = [(t.kind, t.english) for t in translate.texts(source)]
    assert found == [("docstring", "Fréchet distance of x."), ("comment", "the mean of x"),
                     ("f-string", "{x:.3f} is not positive here")]


def test_translate_code_keeps_the_code_and_fields():
    source = ('def f(x):\n    """Fréchet distance of x,\n    in one line."""\n'
              '    assert x, f"{x:.3f} is not \'positive\' here"  # must be positive\n')
    table = {"Fréchet distance of x,\nin one line.": "x의 프레셰 거리,\n한 줄로.",
             "{x:.3f} is not 'positive' here": "{x:.3f}는 \"양수\"가 아닙니다",
             "must be positive": "양수여야 합니다"}
    out, missing = translate.translate_code(source, table)
    assert missing == []
    namespace = {}
    exec(out, namespace)
    assert namespace["f"].__doc__ == "x의 프레셰 거리,\n    한 줄로."
    with pytest.raises(AssertionError, match='0.000는 "양수"가 아닙니다'):
        namespace["f"](0)
    assert "# 양수여야 합니다" in out


def test_a_translation_that_drops_a_field_is_refused(tmp_path):
    (tmp_path / "messages.ko.toml").write_text(
        "[[text]]\nen = '{what} contains nan.'\nko = 'nan이 있습니다.'\n", encoding="utf-8")
    with pytest.raises(translate.TranslationError, match=r"keep the fields \['\{what\}'\]"):
        translate.read_table(tmp_path / "messages.ko.toml", "ko")


def test_a_stale_region_is_named(tmp_path):
    english = ASSIGNMENTS[NAMES[0]].build()
    folder = tmp_path / NAMES[0]
    folder.mkdir()
    first = next(c for c in english.cells if c.cell_type == "markdown")
    (folder / "text.ko.md").write_text(f"<!-- cell: {meta(first)['grade_id']} en:000000000000 -->\n번역\n",
                                       encoding="utf-8")
    found = translate.problems(english, folder, "ko")
    assert any("is stale" in line and meta(first)["grade_id"] in line for line in found)
    assert any("messages.ko.toml: missing" in line for line in found)


def test_checks_speak_korean_after_use_language():
    checks.use_language("ko")
    with pytest.raises(AssertionError, match="모양이 \\(2,\\)여야 하는데"):
        checks.assert_shape(__import__("torch").zeros(3), (2,), "x")
    checks.use_language("en")
    with pytest.raises(AssertionError, match=r"expected shape \(2,\)"):
        checks.assert_shape(__import__("torch").zeros(3), (2,), "x")
    with pytest.raises(ValueError, match="no messages in 'fr'"):
        checks.use_language("fr")
