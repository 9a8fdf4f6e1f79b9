#!/usr/bin/env bash
# Installs code-server (a real VS Code 1.100 that runs on Node 20) into .cache/code-server for the
# extension-host and UI test tiers. It is a test tool, so it stays out of the project's package.json.
#
# Idempotent: a finished install leaves a marker and is reused (CI installs once; a developer reruns often).
# Its npm install fetches ripgrep from GitHub, which is not reachable here: we pre-fill the cache that
# @vscode/ripgrep's postinstall reads before it downloads, with Debian's rg (see shared notes/real-services.md).
#
# Usage: scripts/install-code-server.sh            prints the code-server binary path on its last line
# Env:   REGX_CODE_SERVER_DIR   install folder (default: <checkout>/.cache/code-server)
#        REGX_CODE_SERVER_FORCE=1  reinstall even when the marker is present
set -euo pipefail

VERSION=4.100.3
# The @vscode/ripgrep that code-server 4.100.3 depends on, and the ripgrep release it downloads.
RG_PKG_VERSION=1.15.11
RG_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${REGX_CODE_SERVER_DIR:-$ROOT/.cache/code-server}"
BIN="$DIR/node_modules/.bin/code-server"
MARKER="$DIR/.installed-$VERSION"

log() { echo "[install-code-server] $*" >&2; }

installed() {
  [[ -f "$MARKER" && -x "$BIN" ]] || return 1
  local v
  v="$(node -p "require('$DIR/node_modules/code-server/package.json').version" 2>/dev/null || true)"
  [[ "$v" == "$VERSION" ]]
}

if [[ "${REGX_CODE_SERVER_FORCE:-}" != 1 ]] && installed; then
  log "code-server $VERSION already installed in $DIR"
  echo "$BIN"
  exit 0
fi

# System packages: native modules need the -dev headers; ripgrep replaces the download; chromium drives the UI tier.
# .ci/run installs them; here we only say which are missing.
missing=()
for p in libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep chromium; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  log "missing Debian packages: ${missing[*]}"
  log "install them with: apt-get update && apt-get install -y ${missing[*]}"
  # ripgrep is required for the install itself; the others fail later with a clearer compiler error.
  for p in "${missing[@]}"; do [[ "$p" == ripgrep ]] && exit 1; done
else
  log "Debian packages present: libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep chromium"
fi

mkdir -p "$DIR"
# One installer at a time (two tiers or two terminals may call this concurrently).
exec 9>"$DIR/.lock"
if command -v flock >/dev/null; then flock 9; fi
if [[ "${REGX_CODE_SERVER_FORCE:-}" != 1 ]] && installed; then
  log "code-server $VERSION was installed by a concurrent run"
  echo "$BIN"
  exit 0
fi

# The ripgrep cache trick: @vscode/ripgrep's postinstall looks in $TMPDIR/vscode-ripgrep-cache-<pkg version>.
TMP="${TMPDIR:-/tmp}"
CACHE="$TMP/vscode-ripgrep-cache-$RG_PKG_VERSION"
if [[ ! -s "$CACHE/$RG_ASSET" ]]; then
  stage="$(mktemp -d)"
  cp "$(command -v rg)" "$stage/rg"
  mkdir -p "$CACHE"
  tar -C "$stage" -czf "$CACHE/$RG_ASSET.tmp" rg
  mv "$CACHE/$RG_ASSET.tmp" "$CACHE/$RG_ASSET"
  rm -rf "$stage"
  log "seeded $CACHE/$RG_ASSET from $(command -v rg)"
fi

rm -f "$MARKER"
# Its own package.json so npm does not walk up into the project's.
[[ -f "$DIR/package.json" ]] || echo '{ "name": "regx-code-server", "private": true }' >"$DIR/package.json"

log "installing code-server@$VERSION into $DIR (about 70 s, 300 MB)"
start=$(date +%s)
# Root in CI: npm_config_yes answers npx-style prompts, --unsafe-perm keeps lifecycle scripts running as root
# (npm >= 7 does that anyway; the flag is harmless there and needed on older npm).
npm_config_yes=true npm install --unsafe-perm --no-audit --no-fund --loglevel=error \
  --prefix "$DIR" "code-server@$VERSION" >"$DIR/install.log" 2>&1 || {
  log "npm install failed; last lines of $DIR/install.log:"
  tail -n 30 "$DIR/install.log" >&2
  exit 1
}

# Belt and braces: if a different @vscode/ripgrep version looked elsewhere and left no binary, use Debian's.
while IFS= read -r rgdir; do
  if [[ ! -x "$rgdir/bin/rg" ]]; then
    mkdir -p "$rgdir/bin" && cp "$(command -v rg)" "$rgdir/bin/rg"
    log "placed Debian rg in $rgdir/bin"
  fi
done < <(find "$DIR/node_modules" -type d -path '*/@vscode/ripgrep' 2>/dev/null)

"$BIN" --version >/dev/null || { log "code-server does not start: $BIN --version failed"; exit 1; }
touch "$MARKER"
log "installed code-server $VERSION in $(( $(date +%s) - start )) s"
echo "$BIN"
