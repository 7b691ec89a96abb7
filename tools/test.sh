#!/usr/bin/env bash
# Runs every Vellum test: the whole Bazel suite with BoringSSL (the default) and again with
# OpenSSL 3, the layering checks of tools/layering, then each fuzz target briefly. Installs what
# it needs first. The last line is "N passed, M failed", counting test cases; the exit status is
# non-zero on any failure.
#
#   tools/test.sh                 # everything
#   FUZZ_SECONDS=0 tools/test.sh  # skip the short fuzzing runs
set -uo pipefail
cd "$(dirname "$0")/.."

tools/install_deps.sh || { echo "install_deps failed"; echo "0 passed, 1 failed"; exit 1; }

# Convenience symlinks left by a Bazel server with another output base would be walked by //...
find . -maxdepth 1 -name 'bazel-*' -type l -delete

FUZZ_SECONDS="${FUZZ_SECONDS:-10}"
REPORT_DIR="$(mktemp -d)"
trap 'rm -rf "$REPORT_DIR"' EXIT

# run_suite NAME BAZEL_FLAGS...: runs every test target and writes NAME.counts ("passed failed").
run_suite() {
  local name="$1"
  shift
  echo "=== bazel test $* //..."
  local query_rc=0 test_rc=0
  bazel query 'tests(//...)' > "$REPORT_DIR/$name.tests" || query_rc=$?
  bazel test "$@" --build_event_json_file="$REPORT_DIR/$name.bep.json" -- //... || test_rc=$?
  # Exit 0: all passed; 3: some tests failed (counted below). Anything else (a build or
  # loading failure, no tests) is one more failure, so a broken build can never look green.
  python3 - "$REPORT_DIR/$name.bep.json" "$name" "$REPORT_DIR/$name.tests" \
    "$query_rc" "$test_rc" > "$REPORT_DIR/$name.counts" <<'PY'
import json, sys, urllib.parse, xml.etree.ElementTree as ET
bep_path, suite, tests_path = sys.argv[1:4]
query_rc, test_rc = int(sys.argv[4]), int(sys.argv[5])
with open(tests_path) as f:
    wanted = set(f.read().split())
results = {}
try:
    with open(bep_path) as f:
        for line in f:
            ev = json.loads(line)
            tr = ev.get("id", {}).get("testResult")
            if tr:
                res = ev.get("testResult", {})
                xml = [o["uri"] for o in res.get("testActionOutput", []) if o.get("name") == "test.xml"]
                results[tr["label"]] = (res.get("status", "NO_STATUS"), xml)
except (OSError, ValueError) as e:
    print(f"{suite}: cannot read build events: {e}", file=sys.stderr)
passed = failed = 0
for label in sorted(wanted):
    if label not in results:
        print(f"{suite}: {label} did not run (build failure?)", file=sys.stderr)
        failed += 1
        continue
    status, xml = results[label]
    cases = fails = 0
    for uri in xml:
        path = urllib.parse.unquote(urllib.parse.urlparse(uri).path)
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError):
            continue
        for case in root.iter("testcase"):
            if case.get("status") == "notrun":
                continue
            cases += 1
            if case.find("failure") is not None or case.find("error") is not None:
                fails += 1
    if status != "PASSED" and fails == 0:
        fails = 1
        cases = max(cases, 1)
    if cases == 0:
        print(f"{suite}: {label} ran no test case", file=sys.stderr)
        fails, cases = 1, 1
    passed += cases - fails
    failed += fails
if query_rc != 0 or not wanted:
    print(f"{suite}: bazel query found no tests (exit {query_rc})", file=sys.stderr)
    failed += 1
if test_rc not in (0, 3) or (test_rc == 3 and failed == 0):
    print(f"{suite}: bazel test exited {test_rc}", file=sys.stderr)
    failed += 1
print(passed, failed)
PY
  echo "=== $name: $(cat "$REPORT_DIR/$name.counts") (passed failed)"
}

run_suite boringssl
run_suite openssl --config=openssl

# The layering table of docs/architecture.md against the build (tools/layering): the checker's
# own self-test, every dependency edge between packages, and library headers included without
# their dependency. Each check counts as one case.
layering_passed=0
layering_failed=0
run_layering() {
  echo "=== layering: $1"
  if "${@:2}"; then
    layering_passed=$((layering_passed + 1))
  else
    echo "FAIL layering: $1"
    layering_failed=$((layering_failed + 1))
  fi
}
LAYERING=(/usr/bin/python3 tools/layering/check_layering.py)
bazel query --noshow_progress 'deps(//...) - kind("package group", deps(//...))' \
  --output=graph --nograph:factored \
  --noimplicit_deps > "$REPORT_DIR/graph.txt" 2> "$REPORT_DIR/graph.err" || cat "$REPORT_DIR/graph.err"
bazel query --noshow_progress 'kind("cc_(library|binary|test) rule", //...)' --output=xml \
  > "$REPORT_DIR/cc.xml" 2> "$REPORT_DIR/cc.err" || cat "$REPORT_DIR/cc.err"
run_layering self-test "${LAYERING[@]}" self-test
run_layering deps "${LAYERING[@]}" deps docs/architecture.md "$REPORT_DIR/graph.txt"
run_layering includes "${LAYERING[@]}" includes "$REPORT_DIR/cc.xml" .

# Short fuzzing runs: each target for FUZZ_SECONDS seconds; each target counts as one case.
fuzz_passed=0
fuzz_failed=0
if [ "$FUZZ_SECONDS" -gt 0 ]; then
  echo "=== tools/fuzz.sh $FUZZ_SECONDS"
  tools/fuzz.sh "$FUZZ_SECONDS" > "$REPORT_DIR/fuzz.log" 2>&1
  fuzz_rc=$?
  cat "$REPORT_DIR/fuzz.log"
  fuzz_passed=$(grep -c '^PASS //fuzz:' "$REPORT_DIR/fuzz.log" || true)
  fuzz_failed=$(grep -c '^FAIL //fuzz:' "$REPORT_DIR/fuzz.log" || true)
  if [ "$fuzz_rc" -ne 0 ] && [ "$fuzz_failed" -eq 0 ]; then
    fuzz_failed=1
  fi
fi

read -r b_pass b_fail < "$REPORT_DIR/boringssl.counts"
read -r o_pass o_fail < "$REPORT_DIR/openssl.counts"
passed=$((b_pass + o_pass + layering_passed + fuzz_passed))
failed=$((b_fail + o_fail + layering_failed + fuzz_failed))
echo "boringssl: $b_pass passed, $b_fail failed; openssl: $o_pass passed, $o_fail failed;" \
  "layering: $layering_passed passed, $layering_failed failed;" \
  "fuzz: $fuzz_passed passed, $fuzz_failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
