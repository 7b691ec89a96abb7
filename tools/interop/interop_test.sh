#!/usr/bin/env bash
# Runs interop_test.go, which checks vellum against Go's golang.org/x/mod/sumdb/tlog and
# golang.org/x/mod/sumdb/note, offline and without Go modules.
#
#   interop_test.sh VELLUM_BINARY INTEROP_TEST_GO
#
# Under `bazel test` the arguments come from BUILD.bazel. The seed is fixed so that runs are
# reproducible; override it with INTEROP_SEED (bazel test --test_env=INTEROP_SEED=N).
set -euo pipefail

readonly DEFAULT_SEED=6962

if [ "$#" -ne 2 ]; then
  echo "usage: $0 VELLUM_BINARY INTEROP_TEST_GO" >&2
  exit 2
fi
vellum="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
source_file="$2"

if ! command -v go > /dev/null 2>&1; then
  echo "interop_test: FAIL: no 'go' on PATH ($PATH); install golang-go (tools/install_deps.sh)" >&2
  exit 1
fi
for package in tlog note; do
  if [ ! -d "/usr/share/gocode/src/golang.org/x/mod/sumdb/$package" ]; then
    echo "interop_test: FAIL: golang.org/x/mod/sumdb/$package is not in /usr/share/gocode;" \
      "install golang-golang-x-mod-dev (tools/install_deps.sh)" >&2
    exit 1
  fi
done

tmp="${TEST_TMPDIR:-}"
if [ -z "$tmp" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
fi
mkdir -p "$tmp/home" "$tmp/gocache" "$tmp/gotmp" "$tmp/src"

export GO111MODULE=off
export GOPATH=/usr/share/gocode
export GOFLAGS=
export GOCACHE="$tmp/gocache"
export GOTMPDIR="$tmp/gotmp"
export HOME="$tmp/home"

# `go run` refuses files named *_test.go, so run a copy under another name.
cp "$source_file" "$tmp/src/interop.go"
cd "$tmp/src"
go version
exec go run interop.go -vellum "$vellum" -seed "${INTEROP_SEED:-$DEFAULT_SEED}"
