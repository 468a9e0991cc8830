# jisik: `make up` runs the whole platform on embedded defaults, `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip -q --disable-pip-version-check
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# The test extras add llama-cpp-python (built from source: about 13 minutes the first time on 2 cores)
# and sentence-transformers with the CPU build of torch, so every backend is tested for real.
TEST_EXTRAS := dev,ocr,llm,st

.PHONY: up test install web protos check-protos lint bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt -e '.[ocr]'
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(PIP) install -c constraints.txt -e '.[$(TEST_EXTRAS)]'
	touch $(TEST_STAMP)

install: $(STAMP)

web:
	@if [ -f web/package.json ]; then cd web && npm ci --no-audit --no-fund && npm run build; fi

up: install web
	$(VENV)/bin/jisik up

test: $(TEST_STAMP) web
	$(PY) scripts/gen_protos.py --check
	$(PY) -m pytest

protos: install
	$(PY) scripts/gen_protos.py

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) var web/dist web/node_modules
