#!/usr/bin/env bash
# Issue 14's event figures (docs/benchmarks.md, "Events at log speed"): a fresh vellumd (sealed
# store on, no auth section), then single raw appends with receipts, single events, 1,000-event
# batches and single events again, each a `vellum bench` run printing its JSON line.
#
#   tools/bench/events_vs_raw.sh [VELLUMD VELLUM]
#
# Without arguments it builds both with -c opt from this tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$#" -eq 2 ]; then
  vellumd="$1"
  vellum="$2"
else
  bazel build -c opt //tools:vellum //tools:vellumd > /dev/null 2>&1 ||
    bazel build -c opt //tools:vellum //tools:vellumd
  bin="$(bazel info -c opt bazel-bin 2> /dev/null)"
  vellumd="$bin/tools/vellumd"
  vellum="$bin/tools/vellum"
fi
work="$(mktemp -d)"
chmod 700 "$work"
"$vellumd" --data-dir "$work" --listen 127.0.0.1:0 > "$work.log" 2>&1 &
pid=$!
trap 'kill $pid 2> /dev/null || true; wait $pid 2> /dev/null || true; rm -rf "$work" "$work.log"' EXIT
for _ in $(seq 100); do
  grep -q "serving" "$work.log" && break
  sleep 0.1
done
url="$(grep -o 'http://[0-9.:]*' "$work.log" | head -1)"
[ -n "$url" ] || { cat "$work.log" >&2; exit 1; }
"$vellum" bench http --server "$url" --clients 64 --requests 20000 --receipt --entry-bytes 300 | tail -1
"$vellum" bench events --server "$url" --clients 64 --requests 20000 --format protobuf | tail -1
"$vellum" bench events --server "$url" --clients 8 --requests 200 --batch 1000 --format protobuf |
  tail -1
"$vellum" bench events --server "$url" --clients 64 --requests 20000 --format protobuf | tail -1
du -sm "$work/sealed" "$work/db" "$work/index"
