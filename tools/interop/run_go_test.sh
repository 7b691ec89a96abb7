#!/usr/bin/env bash
# Builds one of the Go interoperability programs in this folder and runs it, offline and without
# Go modules, against a Vellum binary. The programs use only Go's standard library and
# golang.org/x/mod/sumdb/tlog and note (Debian's golang-golang-x-mod-dev).
#
#   run_go_test.sh PROGRAM_GO BINARY_FLAG BINARY
#
# e.g. `run_go_test.sh interop_test.go -vellum tools/vellum`. Under `bazel test` the arguments
# come from BUILD.bazel. The seed is fixed so that runs are reproducible; override it with
# INTEROP_SEED (bazel test --test_env=INTEROP_SEED=N). Fails, never skips, when Go is missing.
set -euo pipefail

readonly DEFAULT_SEED=6962

if [ "$#" -ne 3 ]; then
  echo "usage: $0 PROGRAM_GO BINARY_FLAG BINARY" >&2
  exit 2
fi
source_file="$1"
binary_flag="$2"
binary="$(cd "$(dirname "$3")" && pwd)/$(basename "$3")"
name="$(basename "$source_file" _test.go)"

if ! command -v go > /dev/null 2>&1; then
  echo "$name: FAIL: no 'go' on PATH ($PATH); install golang-go (tools/install_deps.sh)" >&2
  exit 1
fi
for package in tlog note; do
  if [ ! -d "/usr/share/gocode/src/golang.org/x/mod/sumdb/$package" ]; then
    echo "$name: FAIL: golang.org/x/mod/sumdb/$package is not in /usr/share/gocode;" \
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

# Go refuses to build files named *_test.go as a program, so build a copy under another name,
# with the shared files (report.go, process.go) beside it. Build first and run the binary, so that
# a program's deadline does not count compile time and signals reach it.
cp "$source_file" "$tmp/src/$name.go"
for shared in report.go process.go; do
  cp "$(dirname "$source_file")/$shared" "$tmp/src/$shared"
done
cd "$tmp/src"
go version
go build -o "$tmp/$name" "$name.go" report.go process.go
exec "$tmp/$name" "$binary_flag" "$binary" -seed "${INTEROP_SEED:-$DEFAULT_SEED}"
