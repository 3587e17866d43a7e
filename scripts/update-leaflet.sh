#!/usr/bin/env bash
# Reproduces app/static/vendor/ (the map view's Leaflet and Leaflet.markercluster) from the
# npm registry: pinned versions, tarballs checked against pinned sha512 integrity values
# before anything is unpacked. The running service never needs npm; only this script does.
# `--check` compares the result with the committed files instead of replacing them.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  "leaflet@1.9.4 sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
  "leaflet.markercluster@1.5.3 sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA=="
)
TARGET="app/static/vendor"
command -v npm >/dev/null || { echo "npm is needed (apt-get install npm)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out="$work/vendor"
mkdir -p "$out/images"
for entry in "${PACKAGES[@]}"; do
  spec=${entry% *}
  integrity=${entry#* }
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  name=${spec%@*}
  tarball="$work/$name-${spec##*@}.tgz"
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [[ "$actual" != "$integrity" ]]; then
    echo "integrity mismatch for $spec: $actual; refusing to use it" >&2
    exit 1
  fi
  mkdir -p "$work/$name"
  tar -xzf "$tarball" -C "$work/$name"
done
l="$work/leaflet/package"
m="$work/leaflet.markercluster/package"
cp "$l/dist/leaflet.js" "$l/dist/leaflet.css" "$out/"
cp "$l/dist/images/"*.png "$out/images/"
cp "$l/LICENSE" "$out/LICENSE-leaflet.txt"
cp "$m/dist/leaflet.markercluster.js" "$m/dist/MarkerCluster.css" "$out/"
cp "$m/MIT-LICENCE.txt" "$out/LICENSE-leaflet.markercluster.txt"
(cd "$out" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS)

if [[ "${1:-}" == "--check" ]]; then
  diff -r "$out" "$TARGET" && echo "app/static/vendor matches the pinned packages"
  exit $?
fi
rm -rf "$TARGET"
cp -r "$out" "$TARGET"
echo "vendored into $TARGET:"
cat "$TARGET/SHA256SUMS"
