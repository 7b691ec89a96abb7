#!/usr/bin/env bash
# The write-path target of issue 14 (docs/benchmarks.md, "The write path"): durable in-process
# appends (`vellum bench append`, LevelDB, synced group commits, the leaf-hash index following)
# against Go's sumdb/tlog building the same tree in memory (tools/bench/tlog_peer.go), run in
# alternation in the same minutes, with the CPU the vellum run used.
#
#   tools/bench/append_vs_tlog.sh [ROUNDS=3] [ENTRIES=1000000] [ENTRY_BYTES=300]
#
# Prints each run's JSON line, then one line per round: vellum entries/s, peer records/s, their
# ratio and vellum's CPU use (user + system over wall, percent of one core).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-3}"
entries="${2:-1000000}"
entry_bytes="${3:-300}"

bazel build -c opt //tools:vellum > /dev/null 2>&1 || bazel build -c opt //tools:vellum
vellum="$(bazel info -c opt bazel-bin 2> /dev/null)/tools/vellum"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/gocache"
cp tools/bench/tlog_peer.go "$work/src/"
(cd "$work/src" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE="$work/gocache" \
  go build -o "$work/tlog_peer" tlog_peer.go)

field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
for round in $(seq 1 "$rounds"); do
  dir="$work/log-$round"
  mkdir "$dir"
  /usr/bin/time -f '%U %S %e' -o "$work/time" \
    "$vellum" bench append --data-dir "$dir" --entries "$entries" --entry-bytes "$entry_bytes" \
    > "$work/vellum.json"
  ours="$(tail -1 "$work/vellum.json")"
  peer="$("$work/tlog_peer" -records "$entries" -record-bytes "$entry_bytes")"
  echo "$ours"
  echo "$peer"
  read -r user sys wall < "$work/time"
  python3 - "$round" "$(field "$ours" entries_per_second)" "$(field "$peer" records_per_s)" \
    "$user" "$sys" "$wall" <<'PY'
import sys
r, ours, peer, user, sys_, wall = sys.argv[1], *map(float, sys.argv[2:])
print(f"round {r}: vellum {ours:,.0f} entries/s, tlog {peer:,.0f} records/s, "
      f"ratio {ours / peer:.2f}, vellum CPU {100 * (user + sys_) / wall:.0f}% of one core")
PY
  rm -rf "$dir"
done
