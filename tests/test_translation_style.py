"""The Korean edition reads as one book (issue 12): one term per concept, Markdown that renders,
and the English words that code cells glue into the text translated.

* **Terms.** ``book/glossary.md`` pairs each English term with Korean forms; the first Korean
  form is the one the chapters use, the forms in parentheses are alternatives a reader may meet.
  A chapter that writes an alternative and never the first form has drifted from the glossary.
* **Emphasis.** CommonMark closes ``**`` only when it is "right-flanking": ``**`code`**는``
  (punctuation, then a letter) stays two literal asterisks.  Korean particles follow words
  directly, so a translation hits this often; rendering every block finds the leftovers.
* **Glued words.** ``translations/ko/glued.json`` and ``scripts.translations.translate_glued``.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

from scripts import translations
from scripts.translations import glued_table, translate_glued, translate_glued_plain, untranslated_glued

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "book" / "glossary.md"
KOREAN_GLOSSARY = ROOT / "translations" / "ko" / "book" / "glossary.md"
CHAPTERS = translations.chapter_names(ROOT)
HANGUL = "\uac00-\ud7a3"


# ---------------------------------------------------------------------------------------
# The glossary
# ---------------------------------------------------------------------------------------
def split_korean(cell: str) -> tuple[list[str], list[str]]:
    """``"판별자 (구분자, 판별망)"`` -> (["판별자"], ["구분자", "판별망"]); ``"인코더 / 디코더"``
    is a pair of first forms."""
    match = re.fullmatch(r"(?P<main>[^()]+?)\s*(?:\((?P<alt>[^()]*)\))?", cell.strip())
    assert match, f"glossary: cannot read the Korean cell {cell!r} (write 'form (alternative, ...)')"
    first = [form.strip() for form in match["main"].split(" / ")]
    alternatives = [form.strip() for form in (match["alt"] or "").split(",") if form.strip()]
    return first, alternatives


def table_rows(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows[1:]  # without the header


def glossary() -> list[tuple[str, list[str], list[str]]]:
    """``(English term, first Korean forms, alternative Korean forms)`` for every row."""
    return [(english, *split_korean(korean)) for english, korean, _meaning, _chapter in table_rows(GLOSSARY)]


def test_glossary_rows_are_well_formed():
    rows = table_rows(GLOSSARY)
    assert len(rows) >= 40
    for row in rows:
        assert len(row) == 4, f"glossary row {row[0]!r}: {len(row)} cells, expected English | 한국어 | Meaning | Chapter"
        assert re.search(f"[{HANGUL}]", row[1]) or re.fullmatch(r"[A-Za-z0-9 ]+(\(.*\))?", row[1]), row
        assert re.fullmatch(r"\d+(, \d+)*", row[3]), f"glossary row {row[0]!r}: chapter {row[3]!r}"
    english = [row[0] for row in rows]
    assert len(set(english)) == len(english), "a term is in the glossary twice"
    firsts = [form for _, first, _ in glossary() for form in first]
    doubled = {form for form in firsts if firsts.count(form) > 1}
    assert not doubled, f"two glossary rows use the same first Korean form: {doubled}"


def test_korean_glossary_has_the_english_rows_and_is_stamped():
    english_rows = {row[0]: row for row in table_rows(GLOSSARY)}
    korean_rows = {row[1]: row for row in table_rows(KOREAN_GLOSSARY)}
    assert list(korean_rows) == list(english_rows), "the Korean glossary's rows differ from the English ones"
    for term, (korean_form, _, _, chapter) in korean_rows.items():
        assert korean_form == english_rows[term][1], f"{term}: Korean form {korean_form!r} vs {english_rows[term][1]!r}"
        assert chapter == english_rows[term][3], f"{term}: chapter {chapter} vs {english_rows[term][3]}"
    stamp = KOREAN_GLOSSARY.read_text(encoding="utf-8").split("\n", 1)[0]
    assert stamp == f"<!-- en:{translations.source_hash(GLOSSARY.read_text(encoding='utf-8'))} -->", (
        "translations/ko/book/glossary.md does not follow book/glossary.md: translate the change, then "
        "put the new hash (scripts.translations.source_hash of the English page) on its first line")


# ---------------------------------------------------------------------------------------
# One term per concept in the chapters
# ---------------------------------------------------------------------------------------
_NOT_PROSE = [
    re.compile(r"<!--.*?-->", re.S),                          # markers
    re.compile(r"\$\$.*?\$\$", re.S),                         # display maths
    re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$"),                # inline maths
    re.compile(r"\{[\w:-]+\}`[^`]*`"),                        # roles: glue keys, citations, refs
    re.compile(r"`[^`\n]*`"),                                 # code
    re.compile(r"^(?:```|:::)\{[\w:-]+\}.*$", re.M),          # directive lines (names, not prose)
    re.compile(r"^:[\w-]+:.*$", re.M),                        # directive options
    re.compile(r"https?://\S+"),
]


def prose(text: str) -> str:
    """The words of a Markdown block a reader reads: no code, maths, markup targets or URLs."""
    for pattern in _NOT_PROSE:
        text = pattern.sub(" ", text)
    return text


def one_line(text: str) -> str:
    """``text`` with every run of white space a single space: a term may be broken across lines."""
    return re.sub(r"\s+", " ", text)


def korean_prose(chapter: str) -> str:
    return one_line(" ".join(prose(block.text) for block in translations.read(chapter, "ko", ROOT).values()))


def _occurs(form: str, text: str) -> bool:
    """``form`` as a word of ``text``: not glued to a word before it (a particle may follow)."""
    after = r"(?![A-Za-z0-9])" if re.search(r"[A-Za-z0-9]$", form) else ""
    return re.search(rf"(?<![{HANGUL}A-Za-z0-9]){re.escape(form)}{after}", text) is not None


def _mask(text: str, form: str, longer_forms: list[str]) -> str:
    """``text`` without the longer glossary forms that contain ``form`` (증거 하한 for 하한)."""
    for longer in sorted(longer_forms, key=len, reverse=True):
        if form in longer and longer != form:
            text = text.replace(longer, " ")
    return text


def term_drift(text: str, rows=None) -> list[str]:
    """Each glossary row whose alternative form ``text`` uses while never using the first form."""
    rows = glossary() if rows is None else rows
    every_first = {form for _, first, _ in rows for form in first}
    found = []
    for term, first, alternatives in rows:
        others = [form for t, f, a in rows if t != term for form in f + a]
        if any(_occurs(form, _mask(text, form, others)) for form in first):
            continue
        for alternative in alternatives:
            if alternative in every_first:  # 생성 모델 is also a term of its own
                continue
            everything = [form for _, f, a in rows for form in f + a]
            if _occurs(alternative, _mask(text, alternative, everything)):
                found.append(f"{term}: writes {alternative!r}, never the glossary's {' / '.join(first)!r}")
    return found


def test_term_drift_finds_an_alternative_and_ignores_longer_terms():
    rows = [("floor", ["하한"], ["바닥값"]), ("evidence lower bound", ["증거 하한"], []),
            ("saturating loss", ["포화 손실"], []), ("non-saturating loss", ["비포화 손실"], []),
            ("packing", ["패킹"], ["팩"]), ("checkerboard artefact", ["체커보드 아티팩트"], [])]
    assert term_drift("하한의 3배이다. 바닥값은 없다.", rows) == []
    assert term_drift("증거 하한을 최대화한다. 바닥값과 비교한다.", rows) == [
        "floor: writes '바닥값', never the glossary's '하한'"]
    assert term_drift("비포화 손실만 쓴다.", rows) == []
    assert term_drift(one_line("증거\n하한을 쓴다. 바닥값도."), rows) != []  # 증거 하한 broken across lines
    assert term_drift("체커보드 아티팩트가 보인다.", rows) == []  # 팩 inside a word
    assert term_drift("팩을 판정한다.", rows) == ["packing: writes '팩', never the glossary's '패킹'"]
    assert prose("{glue:text}`ch3-stored-collapse-R1-EMA-modes` `x_팩` $팩$ 모드") .split() == ["모드"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_uses_the_glossary_terms(chapter):
    drift = term_drift(korean_prose(chapter))
    assert not drift, (f"translations/ko/chapters/{chapter}.md: use the first Korean form of "
                       "book/glossary.md (an alternative may follow it in parentheses):\n  " + "\n  ".join(drift))


ADMONITIONS = {"Learning goals": "학습 목표", "Try it": "직접 해 보기", "Exercises": "연습 문제",
               "Graded exercise": "채점 연습 문제"}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_recurring_admonition_titles_are_translated_alike(chapter):
    notebook = nbformat.read(ROOT / "chapters" / f"{chapter}.ipynb", as_version=4)
    blocks = translations.read(chapter, "ko", ROOT)
    title = re.compile(r"^```\{admonition\}\s*(.*?)\s*$", re.M)
    for cell_id, source in translations.english_markdown(notebook).items():
        english = [ADMONITIONS.get(t) for t in title.findall(source)]
        if cell_id in blocks and any(english):
            korean = title.findall(blocks[cell_id].text)
            for want, got in zip(english, korean):
                assert want is None or got == want, f"{chapter} cell {cell_id}: admonition {got!r}, expected {want!r}"


# ---------------------------------------------------------------------------------------
# Emphasis that renders
# ---------------------------------------------------------------------------------------
_MD = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin).use(colon_fence_plugin)
_NOT_MARKDOWN = {"math", "code", "code-block", "code-cell", "glue:math"}


def leftover_delimiters(markdown: str) -> list[str]:
    """Text that rendered with a literal ``*`` or ``**``: an emphasis CommonMark did not close.

    Directive fences (admonitions, figure captions, tables) hold Markdown too: their title or
    caption and their body are rendered in turn.
    """
    found = []
    for token in _MD.parse(markdown):
        if token.type == "inline":
            found += [child.content for child in token.children
                      if child.type == "text" and "*" in child.content]
        elif token.type in ("fence", "colon_fence") and token.info.startswith("{"):
            name, _, argument = token.info[1:].partition("}")
            if name.strip() in _NOT_MARKDOWN:
                continue
            body = re.sub(r"\A(?:[ \t]*:[\w-]+:.*\n)+", "", token.content)
            found += leftover_delimiters(argument.strip()) + leftover_delimiters(body)
    return found


def test_leftover_delimiters_finds_bold_before_a_particle():
    assert leftover_delimiters("**`train_gan`**는 학습한다.") == ["**", "**는 학습한다."]
    assert leftover_delimiters("**`train_gan`** 함수는 $D^*$를 쓴다.") == []
    assert leftover_delimiters("```{admonition} 직접 해 보기\n**`x`**를 바꾸자.\n```") != []
    assert leftover_delimiters(":::{table} **`x`**의 값\n| a |\n| - |\n| 1 |\n:::") != []


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_korean_emphasis_renders(chapter):
    problems = [f"cell {cell_id}: {text!r}" for cell_id, block in translations.read(chapter, "ko", ROOT).items()
                for text in leftover_delimiters(block.text)]
    assert not problems, (f"translations/ko/chapters/{chapter}.md: '*' or '**' left as text (CommonMark "
                          "closes emphasis after punctuation only before a space or punctuation: write "
                          "the particle outside, e.g. `train_gan` **함수**는, or bold the whole word):\n  "
                          + "\n  ".join(problems))


# ---------------------------------------------------------------------------------------
# Glued words
# ---------------------------------------------------------------------------------------
TABLE = {"equal": "같다", "NOT equal": "같지 않다", "hinge loss": "힌지 손실", "n/a": "없음",
         "{} times the real-vs-real floor": "진짜 대 진짜 하한의 {}배",
         "{} steps of batch {} ({})": "배치 크기 {1}에 {0}스텝, {2}",
         "the shipped recipe, {}": "함께 제공된 레시피인 {}",
         "With {}: {} seeds.": "{0}: 시드 {1}개.",
         "With {}: missing (--settings '{=}').": "{}: 없음(--settings '{}')."}


def test_translate_glued_exact_and_template():
    assert translate_glued("equal", TABLE) == "같다"
    assert translate_glued("NOT equal", TABLE) == "같지 않다"
    assert translate_glued("12 times the real-vs-real floor", TABLE) == "진짜 대 진짜 하한의 12배"
    # numbered placeholders reorder; a placeholder's own text is translated in turn
    assert translate_glued("1,500 steps of batch 64 (the shipped recipe, ganlab.train.recipes.dcgan_digits)",
                           TABLE) == "배치 크기 64에 1,500스텝, 함께 제공된 레시피인 ganlab.train.recipes.dcgan_digits"
    assert translate_glued("With hinge loss: 5 seeds.", TABLE) == "힌지 손실: 시드 5개."
    # {=} keeps its part as it is (a name inside a command)
    assert translate_glued("With hinge loss: missing (--settings 'hinge loss').", TABLE) == \
        "힌지 손실: 없음(--settings 'hinge loss')."
    # several sentences: each on its own
    assert translate_glued("With hinge loss: 5 seeds. With n/a: 3 seeds.", TABLE) == "힌지 손실: 시드 5개. 없음: 시드 3개."


def test_translate_glued_leaves_numbers_and_unknown_text_alone():
    assert translate_glued("7.1 ± 0.4", TABLE) == "7.1 ± 0.4"
    assert translate_glued("8 × 8", TABLE) == "8 × 8"
    assert translate_glued("something new", TABLE) == "something new"
    assert translate_glued("equal", {}) == "equal"
    with pytest.raises(TypeError, match="str"):
        translate_glued(3.5, TABLE)


def test_translate_glued_plain_reads_and_writes_the_repr_myst_nb_reads():
    assert translate_glued_plain("'equal'", TABLE) == "'같다'"
    assert translate_glued_plain("'7.1 ± 0.4'", TABLE) == "'7.1 ± 0.4'"
    assert translate_glued_plain("3.25", TABLE) == "3.25"
    assert translate_glued_plain("<Figure size 640x480 with 1 Axes>", TABLE) == "<Figure size 640x480 with 1 Axes>"
    assert translate_glued_plain("'something new'", TABLE) == "'something new'"


def test_untranslated_glued_reports_english_left_over():
    assert not untranslated_glued("equal", TABLE)
    assert not untranslated_glued("7.1 ± 0.4", TABLE)
    assert untranslated_glued("something new", TABLE)
    assert untranslated_glued("With spectral norm in D: 5 seeds.", TABLE)  # a part the table lacks
    assert not untranslated_glued("1,500 steps of batch 64 (ganlab.train.recipes.x)", TABLE)  # a name
    assert not untranslated_glued("keep", {"keep": "keep"})  # kept English on purpose


def test_glued_table_rejects_a_template_that_loses_a_part(tmp_path):
    path = tmp_path / "translations" / "ko"
    path.mkdir(parents=True)
    (path / "glued.json").write_text('{"{} of {} seeds": "시드 {}개"}', encoding="utf-8")
    with pytest.raises(ValueError, match="2 placeholders"):
        glued_table("ko", tmp_path)
    (path / "glued.json").write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(ValueError, match="JSON object"):
        glued_table("ko", tmp_path)
    assert glued_table("xx", tmp_path) == {}


#: What the chapters' code cells glue as text with words in it (read from their glue(...) calls;
#: numbers are left out). Each must come out Korean.
GLUED_ENGLISH = [
    "equal", "NOT equal", "the same as", "different from", "not measured", "not installed", "n/a",
    "more", "fewer", "about as many",
    "1,500 steps of batch 64 (the shipped recipe, ganlab.train.recipes.dcgan_digits)",
    "1,500 steps of batch 64 (ganlab.train.recipes.conditional_digits)",
    "600 steps of batch 16 (the shipped translators' budget, SHIPPED_STEPS in chapter 7)",
    "4,000 steps of batch 64 (the shipped recipe, scripts/train_vae_digits.py)",
    "9 times the real-vs-real floor", "not measured here, as its weights are not installed",
    "With spectral norm in D: 7.1 ± 1.2 (the default is closer to the real digits on 3 of 5 seeds). "
    "With hinge loss: not measured in this copy (python -m scripts.measure dcgan_digits --settings "
    "'hinge loss'). With R1 penalty: 6.0 ± 1.0 (the default is closer to the real digits on 2 of 5 seeds).",
    "the GAN is closer to the real digits", "the VAE is closer to the real digits",
    "no DCGAN weights are installed, so only the VAE is measured",
    "first reached 50 % at step 120", "did not reach 50 % within this short run",
    "99.0 %, diverged, 98.5 %", "10 of the 10 classes on every seed", "per seed 10, 9, 10, 10, 10 of the 10 classes",
    "between 8.1 % and 11.9 % (the 1 is the rarest, the 0 the commonest)",
    "(its weights are not installed in this copy)",
    "the stored unconditional runs of chapter 5's recipe, on the same seeds, score 9.00 ± 0.95 times the "
    "real floor, against 2.20 ± 0.10 for the conditional one (lower on 5 of 5 seeds)",
    "the unconditional runs of chapter 5's recipe are not stored in this copy of the book "
    "(python -m scripts.measure dcgan_digits)",
]


@pytest.mark.parametrize("english", GLUED_ENGLISH)
def test_every_glued_english_text_has_a_korean_translation(english):
    table = glued_table("ko", ROOT)
    korean = translate_glued(english, table)
    assert not untranslated_glued(english, table), f"translations/ko/glued.json has no row for {english!r}"
    assert re.search(f"[{HANGUL}]", korean), f"{english!r} -> {korean!r}"
    words = re.sub(r"ganlab\.\S+|scripts[./]\S+|python -m \S+ \w+|--settings '[^']*'|SHIPPED_STEPS|DCGAN|GAN|VAE|R1|D\b", "", korean)
    assert not re.search(r"[A-Za-z]{2,}", words), f"{english!r} -> {korean!r} keeps English words"


def test_the_book_stores_the_glued_words_the_table_expects():
    """The stored budgets are glued as they are: a new wording needs a row in glued.json."""
    from ganlab import results

    table = glued_table("ko", ROOT)
    for name in results.available():
        budget = results.load(name).budget
        if name != "mode_coverage_2d":  # the only budget no chapter glues
            assert not untranslated_glued(budget, table), f"{name}: budget {budget!r} has no Korean in glued.json"


def _glued_samples(node, env, depth=0):
    """The texts a glue value can be, with "1" for every number or computed part (a sketch)."""
    import ast
    import itertools

    if depth > 6:
        return ["1"]
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else ["1"]
    if isinstance(node, ast.IfExp):
        return _glued_samples(node.body, env, depth + 1) + _glued_samples(node.orelse, env, depth + 1)
    if isinstance(node, ast.Name):
        return env.get(node.id, ["1"])
    if isinstance(node, ast.FormattedValue):
        return _glued_samples(node.value, env, depth + 1) if isinstance(node.value, (ast.Name, ast.IfExp)) else ["1"]
    parts = (node.values if isinstance(node, ast.JoinedStr) else
             [node.left, node.right] if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) else None)
    if parts is None:
        return ["1"]
    options = [_glued_samples(part, env, depth + 1) for part in parts]
    return ["".join(choice) for choice in itertools.islice(itertools.product(*options), 64)]


def glued_texts_in_the_chapters() -> dict[str, set[str]]:
    """Per glue key (as written in the code), what its value can be: read from the code cells."""
    import ast

    found: dict[str, set[str]] = {}
    for chapter in CHAPTERS:
        notebook = nbformat.read(ROOT / "chapters" / f"{chapter}.ipynb", as_version=4)
        for cell in notebook.cells:
            if cell.cell_type != "code" or "glue(" not in cell.source:
                continue
            tree = ast.parse(cell.source)
            env = {}
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                        and isinstance(node.value, (ast.Constant, ast.IfExp, ast.JoinedStr)):
                    env[node.targets[0].id] = _glued_samples(node.value, env)
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "glue" and len(node.args) >= 2:
                    key = ast.get_source_segment(cell.source, node.args[0])
                    found.setdefault(f"{chapter}: {key}", set()).update(_glued_samples(node.args[1], env))
    return found


def test_every_glued_text_the_code_can_make_has_a_korean_row():
    """Reads the glue(...) calls: a new English value in a code cell needs its row in glued.json."""
    table = glued_table("ko", ROOT)
    texts = glued_texts_in_the_chapters()
    assert any("ch07-upsample-same" in key for key in texts)  # the reader finds the calls
    missing = [f"{key} -> {text!r}" for key, values in texts.items() for text in sorted(values)
               if untranslated_glued(text, table)]
    assert not missing, ("translations/ko/glued.json has no Korean for these glued texts ('1' stands for "
                         "a number or a computed part; add a row or a template with {}):\n  " + "\n  ".join(missing))


# ---------------------------------------------------------------------------------------
# The Korean assignments (exercises/assignments/*/text.ko.md) read like the chapters
# ---------------------------------------------------------------------------------------
ASSIGNMENT_TEXTS = sorted((ROOT / "exercises" / "assignments").glob("*/text.ko.md"))


@pytest.mark.parametrize("path", ASSIGNMENT_TEXTS, ids=[p.parent.name for p in ASSIGNMENT_TEXTS])
def test_korean_assignment_emphasis_renders_and_uses_the_glossary_terms(path):
    text = re.sub(r"^<!-- cell: .* -->$", "", path.read_text(encoding="utf-8"), flags=re.M)
    leftover = leftover_delimiters(text)
    assert not leftover, f"{path}: '*' or '**' left as text: {leftover[:5]}"
    drift = term_drift(prose(text))
    assert not drift, (f"{path}: use the first Korean form of book/glossary.md (an alternative may "
                       "follow it in parentheses):\n  " + "\n  ".join(drift))
