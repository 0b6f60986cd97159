# The README's two commands: `make book` and `make test`.  Both create (or reuse) .venv.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# CPU machines: `make TORCH_SPEC=torch==2.13.0 ...` installs a local CPU wheel first.
TORCH_SPEC ?=
STAMP  := $(VENV)/.installed
# `make book BOOK_ARGS=--fast`: short training (GANLAB_FAST=1), HTML in _build/fast/html.
BOOK_ARGS ?=

.PHONY: book test test-fast grade grade-reset release benchmarks clean env

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml exercises/grader/requirements.txt exercises/grader/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@if [ -n "$(TORCH_SPEC)" ]; then $(PY) -m pip install --quiet "$(TORCH_SPEC)"; fi
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

## Build the HTML book into _build/html (executes every chapter, cached between builds).
book: $(STAMP)
	$(PY) -m scripts.build_book $(BOOK_ARGS)

## Run the whole test suite.
test: $(STAMP)
	$(PY) -m pytest

## Grade every notebook under SUBMISSIONS=<dir>/<student>/<assignment>/.
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || (echo "usage: make grade SUBMISSIONS=<dir>  (holding <student>/<assignment>/*.ipynb)"; exit 2)
	$(PY) -m ganlab_grader grade --course exercises --submissions "$(SUBMISSIONS)"

## Move the gradebook, grades*.csv and feedback/ aside (exercises/old-grades/<date-time>/).
grade-reset: $(STAMP)
	$(PY) -m ganlab_grader reset --course exercises

## Generate the student release of every assignment into exercises/release/.
release: $(STAMP)
	$(PY) -m ganlab_grader release --course exercises

benchmarks: $(STAMP)
	for b in benchmarks/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf _build .jupyter_cache .cache/book-static .cache/book-extra exercises/release exercises/autograded exercises/feedback
