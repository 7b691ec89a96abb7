#!/usr/bin/env bash
# The main job. Installs what it needs, builds the tools, and runs a short demonstration of the
# auditor's verifier: it generates a log key, hashes a leaf, and checks RFC 6962 proofs from the
# published test vectors, as an auditor would with the `vellum` command.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh
bazel build -c opt //tools:vellum
VELLUM="$(bazel info -c opt bazel-bin 2>/dev/null)/tools/vellum"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== vellum keygen: a signed-note key for the log origin example.com/vellum"
"$VELLUM" keygen --origin example.com/vellum --out "$work/log"
ls -l "$work/log.key" "$work/log.pub"

echo "== vellum hash leaf: the RFC 6962 leaf hash of an audit entry"
printf '{"action":"deploy","model":"fraud-detector","version":"7"}' > "$work/entry.json"
"$VELLUM" hash leaf "$work/entry.json"

vector=testdata/merkle/inclusion/1/happy-path.json
json() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(",".join(v) if isinstance(v, list) else ("" if v is None else v))' "$vector" "$1"; }
echo "== vellum verify inclusion: the RFC 6962 vector $vector"
"$VELLUM" verify inclusion --leaf-hash "$(json leafHash)" --index "$(json leafIdx)" \
  --size "$(json treeSize)" --root "$(json root)" --proof "$(json proof)"

echo "== the same proof against a different root must fail (exit status 1)"
if "$VELLUM" verify inclusion --leaf-hash "$(json leafHash)" --index "$(json leafIdx)" \
  --size "$(json treeSize)" --root "$(json leafHash)" --proof "$(json proof)"; then
  echo "unexpected: a wrong root verified" >&2
  exit 1
fi
echo "rejected, as it must be"
