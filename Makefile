# zpef — 项目支出绩效自评表 extraction. `make extract` and `make test` set up whatever is missing.

PYTHON ?= python3
VENV   ?= .venv
DUMP   ?= samples/dump
OUT    ?= out
ARGS   ?=
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: help extract test bench bench-scale samples system-deps venv clean

help:
	@echo "make extract [DUMP=folder] [OUT=folder] [ARGS='…']  extract every form in DUMP (default $(DUMP)) into OUT"
	@echo "make test                                           run the test suite"
	@echo "make bench                                          print speed and accuracy figures on the samples"
	@echo "make bench-scale [ARGS='--forms 1000']              throughput at 1 and 2 workers on a generated dump"
	@echo "make samples                                        regenerate samples/dump from scripts/make_samples.py"

# Exit code 1 from the CLI means "some file needs review or failed": the run itself succeeded,
# so make does not fail on it; the summary and OUT/manifest.csv say what needs a human.
extract: $(STAMP) system-deps
	@$(PY) -m pipeline extract "$(DUMP)" --out "$(OUT)" $(ARGS); rc=$$?; \
	if [ $$rc -eq 1 ]; then echo "(some files need review or failed: see $(OUT)/manifest.csv)"; exit 0; fi; exit $$rc

test: $(STAMP) system-deps
	@scripts/system_deps.sh --browser
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) scripts/bench.py $(if $(wildcard eval/build/scans-dev/manifest.json),--corpus eval/build/scans-dev)

# 1,000 generated exported forms and 50 scanned pages at 1 and 2 workers (takes a while)
bench-scale: $(STAMP) system-deps
	$(PY) scripts/bench_scale.py $(ARGS)

samples: $(STAMP) system-deps
	$(PY) scripts/make_samples.py --out samples/dump

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

# System packages: a CJK font (to regenerate samples and, later, render pages) and Tesseract with
# its Simplified Chinese data (for scans). Installed with apt-get when missing; when that is not
# possible the message says what to install, and text-layer extraction still works.
system-deps:
	@scripts/system_deps.sh

clean:
	rm -rf $(OUT) .pytest_cache
