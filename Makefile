# zpef — 项目支出绩效自评表 extraction. `make extract` and `make test` set up whatever is missing.

PYTHON ?= python3
VENV   ?= .venv
DUMP   ?= samples/dump
OUT    ?= out
ARGS   ?=
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# extras on top of the runtime install, one stamp each: `make extract` needs none of them
EXTRA  := $(VENV)/.installed-

.PHONY: help extract test bench bench-eval eval-build scan-corpus bench-scale samples system-deps venv clean

help:
	@echo "make extract [DUMP=folder] [OUT=folder] [ARGS='…']  extract every form in DUMP (default $(DUMP)) into OUT"
	@echo "make test                                           run the test suite"
	@echo "make bench                                          print speed and accuracy figures on the samples and the evaluation corpus"
	@echo "make bench-eval [ARGS='--half dev --kinds …']       accuracy on the real forms of eval/ (renders eval/build if missing)"
	@echo "make scan-corpus [ARGS='--kinds a,b']              the scan corpus eval/build/scans-dev (poppler, Ghostscript, Augraphy)"
	@echo "make bench-scale [ARGS='--forms 1000']              throughput at 1 and 2 workers on a generated dump"
	@echo "make samples                                        regenerate samples/dump from scripts/make_samples.py"

# Exit code 1 from the CLI means "some file needs review or failed": the run itself succeeded,
# so make does not fail on it; the summary and OUT/manifest.csv say what needs a human.
extract: $(STAMP) system-deps
	@$(PY) -m pipeline extract "$(DUMP)" --out "$(OUT)" $(ARGS); rc=$$?; \
	if [ $$rc -eq 1 ]; then echo "(some files need review or failed: see $(OUT)/manifest.csv)"; exit 0; fi; exit $$rc

test: $(EXTRA)test system-deps
	@scripts/system_deps.sh --browser
	$(PY) -m ruff check pipeline tests scripts
	$(PY) -m ruff format --check pipeline tests scripts
	$(PY) -m mypy pipeline
	$(PY) -m pytest -q

bench: $(EXTRA)bench
	@scripts/system_deps.sh --bench
	$(PY) scripts/bench.py $(if $(wildcard eval/build/scans-dev/manifest.json),--corpus eval/build/scans-dev)
	$(PY) scripts/bench_eval.py $(EVAL_ARGS)

# The evaluation corpus of real forms (eval/): renderings are made in eval/build/ when missing
# (LibreOffice, poppler), then the pipeline is measured on each half × rendering kind.
# All kinds, scans included, take about 4 minutes on the 12 forms; EVAL_ARGS='--kinds docx_pdf,xlsx_pdf'
# narrows `make bench`.
EVAL_ARGS ?=
bench-eval: $(STAMP) eval-build
	$(PY) scripts/bench_eval.py $(ARGS)

eval-build: $(STAMP)
	@scripts/system_deps.sh --bench
	$(PY) scripts/make_eval.py

# The scan corpus (eval/build/scans-dev): the samples rasterised and degraded by other tools than
# their own (poppler, Ghostscript, Augraphy); Augraphy gets an environment of its own, because
# its opencv-python must not replace the pipeline's headless OpenCV.
AUGRAPHY_VENV := .venv-augraphy
scan-corpus: $(EXTRA)bench
	@scripts/system_deps.sh --bench
	@test -x $(AUGRAPHY_VENV)/bin/python || { $(PYTHON) -m venv $(AUGRAPHY_VENV) && $(AUGRAPHY_VENV)/bin/pip install -q augraphy; } \
	  || echo "Augraphy could not be installed: its kinds are skipped"
	$(PY) scripts/make_scan_corpus.py $(ARGS)

# 1,000 generated exported forms and 50 scanned pages at 1 and 2 workers (takes a while)
bench-scale: $(EXTRA)bench system-deps
	$(PY) scripts/bench_scale.py $(ARGS)

samples: $(EXTRA)samples system-deps
	$(PY) scripts/make_samples.py --out samples/dump

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	@rm -f $(EXTRA)*
	@touch $(STAMP)

# `make test` adds the test extras (pytest, Playwright, Dask, …), `make bench` and `make samples` theirs
$(EXTRA)%: $(STAMP)
	$(PY) -m pip install -q -e '.[$*]'
	@touch $@

# System packages: a CJK font (to regenerate samples and, later, render pages), Tesseract with
# its Simplified Chinese data (for scans) and headless LibreOffice Writer/Calc (for .doc, .wps and
# .odt files). Installed with apt-get when missing; when that is not possible the message says
# what to install, and text-layer extraction still works (a .doc's manifest row says what it needs).
system-deps:
	@scripts/system_deps.sh

clean:
	rm -rf $(OUT) .pytest_cache
