#!/usr/bin/env bash
# Builds code-server (VS Code in the browser) into a cache folder outside the clone, for the
# end-to-end test of the extension. Idempotent: a finished build leaves a stamp and is reused.
#
#   editors/vscode/scripts/build-code-server.sh        # prints the tools folder on stdout
#
# MINDPORT_EDITOR_TOOLS overrides the folder (default ~/.cache/mindport-editor-tools).
# code-server's own post-install step downloads ripgrep from the internet, which these machines
# cannot reach, so its work is done here by hand with Debian's ripgrep.
set -euo pipefail

VERSION="4.100.3"
TOOLS="${MINDPORT_EDITOR_TOOLS:-$HOME/.cache/mindport-editor-tools}"
DEST="$TOOLS/code-server-$VERSION"
STAMP="$DEST/.built"
log() { echo "build-code-server: $*" >&2; }

if [ -f "$STAMP" ]; then
  echo "$DEST"
  exit 0
fi
# One build at a time (two test runs on a cold cache wait for each other).
mkdir -p "$TOOLS"
exec 9>"$TOOLS/.code-server.lock"
flock 9
if [ -f "$STAMP" ]; then
  echo "$DEST"
  exit 0
fi

# Debian packages the native modules and the test need.
PACKAGES="build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep chromium"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    log "missing Debian packages:$missing (sudo apt-get install$missing)"
    exit 1
  fi
fi

# node-gyp would download Node's headers; Debian/NodeSource's nodejs ships them in /usr/include/node.
NODEDIR="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
if [ -f "$NODEDIR/include/node/common.gypi" ]; then
  export npm_config_nodedir="$NODEDIR"
else
  log "Node's headers are missing ($NODEDIR/include/node): install the nodejs package that ships them"
  exit 1
fi

log "building code-server $VERSION in $DEST (a few minutes, once)"
rm -rf "$DEST.partial"
mkdir -p "$DEST.partial"
cd "$DEST.partial"
echo '{"name":"mindport-editor-tools","private":true}' > package.json
npm install --silent --no-audit --no-fund --ignore-scripts "code-server@$VERSION" >&2
npm rebuild --silent argon2 >&2

VSCODE="$PWD/node_modules/code-server/lib/vscode"
(cd "$VSCODE" && npm install --silent --no-audit --no-fund --omit=dev --ignore-scripts >&2)
GYP="$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$GYP" ] || GYP="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
while IFS= read -r gyp; do
  module="$(dirname "$gyp")"
  log "node-gyp rebuild ${module#"$VSCODE"/}"
  (cd "$module" && node "$GYP" rebuild --nodedir="$NODEDIR" --silent >&2)
done < <(find "$VSCODE/node_modules" -name binding.gyp -not -path "*/test/*" \
           -not -path "*/deps/*" -not -path "*/node-addon-api/*")
mkdir -p "$VSCODE/node_modules/@vscode/ripgrep/bin"
cp /usr/bin/rg "$VSCODE/node_modules/@vscode/ripgrep/bin/rg"
ln -sfn node_modules "$VSCODE/node_modules.asar"
(cd "$VSCODE/extensions" && npm install --silent --no-audit --no-fund --omit=dev --ignore-scripts >&2)

touch .built
cd "$TOOLS"
rm -rf "$DEST"
mv "$DEST.partial" "$DEST"
log "done"
echo "$DEST"
