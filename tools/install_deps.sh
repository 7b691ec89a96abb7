#!/usr/bin/env bash
# Installs the Debian 12 packages Vellum builds, tests and runs with. Idempotent: it calls
# apt-get only when a package is missing. Runs apt-get as root, or through sudo otherwise.
set -euo pipefail

PACKAGES=(
  bazel-bootstrap  # Bazel 4.2.3
  g++ pkg-config python3 git curl ca-certificates
  libabsl-dev  # Abseil 20220623
  android-libboringssl-dev  # BoringSSL, the default crypto library
  libssl-dev  # OpenSSL 3, the --config=openssl crypto library
  libleveldb-dev libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost-dev  # Beast and Asio (header-only)
  golang-go golang-golang-x-mod-dev  # Go's sumdb/tlog and note, for interop tests
  clang libclang-rt-14-dev  # libFuzzer
  libyaml-cpp-dev  # yaml-cpp 0.7, the configuration file's parser
  openssl  # the command, which makes test certificates
  python3-jwt python3-cryptography  # independent JWTs and JWKS for the identity tests
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  SUDO=(sudo)
fi
echo "install_deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
