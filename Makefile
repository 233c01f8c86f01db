# Every target creates .venv on a fresh machine and reuses it afterwards.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.mindport-installed

.PHONY: venv tools demo test lint bench verify usage clean-venv editor-tools editors-ready vsix test-editors

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
	# Whole-file conversion of the example (summary on stderr), then the first lines of the diff
	$(BIN)/mindport convert examples/resnet50 -o .mindport/demo-resnet50-ms
	$(BIN)/mindport convert examples/resnet50/model.py --diff 2>/dev/null | head -40
	# ResNet-50 against its in-memory MindSpore conversion: forward, backward, 5 training steps
	$(BIN)/mindport align examples/resnet50/model.py::resnet50 --inputs 'float32[2,3,64,64]' \
	  --report .mindport/reports/demo-resnet50

# Neovim 0.7 is the headless LSP client of the editor end-to-end test.
tools:
	@command -v nvim >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq neovim >/dev/null; \
	  else echo "install Neovim (apt-get install neovim) for the editor tests" >&2; exit 1; fi; }
	@# Debian's chromium, headless: the report test (tests/test_report_browser.py) renders in it.
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "install chromium (apt-get install chromium) for the report test" >&2; exit 1; fi; }

test: venv tools editors-ready
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

# How the database answers real code: references per answer kind, per project of the corpus.
CORPUS ?= ../shared/corpus
usage: venv
	$(BIN)/python -m mapping_db.usage $(CORPUS)/*/

# Editors (docs/editors.md). editor-tools: Debian's Neovim, Emacs + eglot and Chromium, code-server
# built once into ~/.cache/mindport-editor-tools (minutes, then reused), a Neovim 0.11+ build.
EDITOR_DEBS := neovim emacs-nox elpa-eglot
editor-tools: venv
	@missing=""; for p in $(EDITOR_DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
	  | grep -q "install ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "install$$missing (apt-get install$$missing) for the editor tests" >&2; exit 1; fi; fi
	bash editors/vscode/scripts/build-code-server.sh >/dev/null
	PYTHON=$(BIN)/python bash editors/nvim/scripts/fetch-test-nvim.sh >/dev/null

# The VS Code extension: npm ci when the lock file changed, tsc --noEmit, eslint, node's test
# runner on its pure modules, then the .vsix (editors/vscode/mindport.vsix, not committed).
editors/vscode/node_modules/.package-lock.json: editors/vscode/package-lock.json
	cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error

vsix: editors/vscode/node_modules/.package-lock.json
	cd editors/vscode && npm run --silent package

editors-ready: editor-tools vsix
	cd editors/vscode && npm run --silent check

# Everything above, then the editor tests alone (make test runs them with the rest).
test-editors: editors-ready
	$(BIN)/python -m pytest -q tests/editors tests/test_nvim_e2e.py tests/test_editor_settings.py

clean-venv:
	rm -rf $(VENV)
