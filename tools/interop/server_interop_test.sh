#!/usr/bin/env bash
# Runs server_interop_test.go, which starts vellumd, appends to it concurrently and checks
# everything it serves with Go's golang.org/x/mod/sumdb/tlog and golang.org/x/mod/sumdb/note,
# offline and without Go modules.
#
#   server_interop_test.sh VELLUMD_BINARY SERVER_INTEROP_TEST_GO
#
# Under `bazel test` the arguments come from BUILD.bazel. The seed (which fixes the entries'
# contents; the interleaving of concurrent appends is up to the scheduler) defaults to a fixed
# value; override it with SERVER_INTEROP_SEED (bazel test --test_env=SERVER_INTEROP_SEED=N).
set -euo pipefail

readonly DEFAULT_SEED=6962

if [ "$#" -ne 2 ]; then
  echo "usage: $0 VELLUMD_BINARY SERVER_INTEROP_TEST_GO" >&2
  exit 2
fi
vellumd="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
source_file="$2"

if ! command -v go > /dev/null 2>&1; then
  echo "server_interop_test: FAIL: no 'go' on PATH ($PATH); install golang-go (tools/install_deps.sh)" >&2
  exit 1
fi
for package in tlog note; do
  if [ ! -d "/usr/share/gocode/src/golang.org/x/mod/sumdb/$package" ]; then
    echo "server_interop_test: FAIL: golang.org/x/mod/sumdb/$package is not in /usr/share/gocode;" \
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

# `go run` refuses files named *_test.go, so run a copy under another name. Build first and run
# the binary, so that the program's deadline does not count compile time and signals reach it.
cp "$source_file" "$tmp/src/server_interop.go"
cd "$tmp/src"
go version
go build -o "$tmp/server_interop" server_interop.go
exec "$tmp/server_interop" -vellumd "$vellumd" -seed "${SERVER_INTEROP_SEED:-$DEFAULT_SEED}"
