# Every target creates .venv on a fresh machine and reuses it afterwards.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.mindport-installed

.PHONY: venv tools demo test lint bench verify clean-venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch 2.13.0 CPU build (a plain `torch` would pull a multi-GB CUDA build);
	# mindspore 2.10 is built against NumPy 1.x.
	$(BIN)/pip install --quiet "torch==2.13.0" "mindspore" "numpy<2"
	$(BIN)/pip install --quiet -e ".[dev]" "numpy<2"
	touch $(STAMP)

# scan exits 1 when it finds APIs with no MindSpore equivalent: expected for the sample.
demo: venv
	$(BIN)/mindport scan examples/ || test $$? -eq 1

# Neovim 0.7 is the headless LSP client of the editor end-to-end test.
tools:
	@command -v nvim >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq neovim >/dev/null; \
	  else echo "install Neovim (apt-get install neovim) for the editor tests" >&2; exit 1; fi; }

test: venv tools
	$(BIN)/ruff check server mapping_db tests bench
	$(BIN)/ruff format --check server mapping_db tests bench
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check --fix server mapping_db tests bench
	$(BIN)/ruff format server mapping_db tests bench

bench: venv
	$(BIN)/python bench/run_all.py

# Run every mapped target in torch and mindspore; results go to mapping_db/data/verified/.
verify: venv
	$(BIN)/mindport db verify --jobs 2

clean-venv:
	rm -rf $(VENV)
