#!/usr/bin/env bash
# Interoperability test of the JWT code: Debian's PyJWT and python-cryptography make fresh keys,
# a JWKS and tokens (jwt_interop_tokens.py), and jwt_interop_checker must accept the valid ones
# and refuse each bad one with the right reason. Not hermetic: it runs /usr/bin/python3 with
# python3-jwt and python3-cryptography (tools/install_deps.sh); it fails, never skips, without
# them.
#
#   jwt_interop_test.sh TOKENS_PY CHECKER
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 TOKENS_PY CHECKER" >&2
  exit 2
fi
python=/usr/bin/python3
if ! "$python" -c 'import jwt, cryptography' 2>/dev/null; then
  echo "jwt_interop_test: FAIL: $python lacks python3-jwt or python3-cryptography" \
    "(apt-get install python3-jwt python3-cryptography)" >&2
  exit 1
fi
dir="${TEST_TMPDIR:-$(mktemp -d)}/jwt_interop"
mkdir -p "$dir"
"$python" "$1" "$dir"
"$2" "$dir"
