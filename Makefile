# jisik: `make up` runs the whole platform on embedded defaults, `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip -q --disable-pip-version-check
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# The test extras add llama-cpp-python (built from source: about 13 minutes the first time on 2 cores)
# and sentence-transformers with the CPU build of torch, so every backend is tested for real.
TEST_EXTRAS := dev,ocr,train,llm,st
# llama.cpp is built for AVX2, not for the build machine's own instruction set: with -march=native on
# a CPU with AMX its AMX kernels crash on the test model (segfault in ggml_backend_amx_mul_mat). The
# wheel is built without pip's cache so a natively built wheel cached earlier is never reused.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
# apache-flink pins old dependencies, so the Flink SQL jobs are tested from a virtualenv of their own.
FLINK_VENV := .venv-flink

.PHONY: up test install web protos clients lint bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt -e '.[ocr,train]'
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install --no-cache-dir -c constraints.txt 'llama-cpp-python[server]'
	$(PIP) install -c constraints.txt -e '.[$(TEST_EXTRAS)]'
	touch $(TEST_STAMP)

$(FLINK_VENV)/.installed:
	@if command -v java >/dev/null 2>&1; then \
		$(PYTHON) -m venv $(FLINK_VENV) && $(FLINK_VENV)/bin/pip -q --disable-pip-version-check install apache-flink==2.0.2 && touch $@; \
	else echo "java not found: the PyFlink tests will skip"; fi

install: $(STAMP)

web:
	@if [ -f web/package.json ]; then cd web && npm ci --no-audit --no-fund && npm run build; fi

up: install web
	$(VENV)/bin/jisik up

test: $(TEST_STAMP) $(FLINK_VENV)/.installed web
	$(PY) scripts/gen_protos.py --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	JISIK_TEST_PYFLINK_PYTHON=$$([ -x $(FLINK_VENV)/bin/python ] && echo $(CURDIR)/$(FLINK_VENV)/bin/python) $(PY) -m pytest

protos: install
	$(PY) scripts/gen_protos.py

# The web app's API types and the Python SDK's models, from the gateway's OpenAPI document.
clients: install
	$(PY) scripts/openapi_clients.py

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) $(FLINK_VENV) var web/dist web/node_modules
