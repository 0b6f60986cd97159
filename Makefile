# The README's two commands: `make book` and `make test`.  Both create (or reuse) .venv.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# CPU machines: `make test TORCH_SPEC="torch==2.5.1 --index-url https://download.pytorch.org/whl/cpu"`
# installs that torch first (pip arguments; write versions with ==). A later `make` with another
# TORCH_SPEC installs that one: .torch-spec records the last spec, and its change re-runs the
# install. Without TORCH_SPEC the installed torch stays.
TORCH_SPEC ?=
STAMP  := $(VENV)/.installed
TORCH_STAMP := $(VENV)/.torch-spec
# `make book BOOK_ARGS=--fast`: short training (GANLAB_FAST=1), HTML in _build/fast/html.
BOOK_ARGS ?=

.PHONY: book test test-fast grade grade-reset release benchmarks clean env FORCE

env: $(STAMP)

# Rewritten (so newer than the install stamp) only when a non-empty TORCH_SPEC differs from
# the one recorded.
$(TORCH_STAMP): FORCE
	@mkdir -p $(VENV)
	@if [ -n "$(TORCH_SPEC)" ] && [ "$$(cat $@ 2>/dev/null)" != "$(TORCH_SPEC)" ]; then \
		echo "$(TORCH_SPEC)" > $@; fi
	@test -f $@ || touch $@

$(STAMP): requirements.txt pyproject.toml exercises/grader/requirements.txt exercises/grader/pyproject.toml $(TORCH_STAMP)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@if [ -n "$(TORCH_SPEC)" ]; then $(PY) -m pip install --quiet $(TORCH_SPEC); fi
	PYTHONWARNINGS="ignore:Editable installation" $(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

## Build the HTML book into _build/html (executes every chapter, cached between builds).
book: $(STAMP)
	$(PY) -m scripts.build_book $(BOOK_ARGS)

## Run the whole test suite (about 10 minutes on 2 CPU cores).
test: $(STAMP)
	$(PY) -m pytest

## The suite without the slow tests (notebooks, book, whole courses) and the browser tests.
test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow and not browser"

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
	rm -rf _build .jupyter_cache .cache/book-static .cache/book-extra exercises/.cache exercises/release exercises/autograded exercises/feedback
