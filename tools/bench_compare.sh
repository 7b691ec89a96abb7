#!/usr/bin/env bash
# tools/bench_compare.sh BEFORE_DIR AFTER_DIR ROUNDS OUT_DIR
#
# Interleaved before/after benchmark of vellumd (issue 10's "no regression" check), following
# docs/benchmarks.md ("ledger and vellumd", the proof-serving section, "events") and the
# `vellum bench` commands of docs/cli.md.
#
# BEFORE_DIR and AFTER_DIR each hold a `vellumd` and a `vellum` built with `-c opt`.
# For each round, for each build (BEFORE then AFTER; ORDER=alternate swaps them in even
# rounds), the script:
#   1. starts a fresh `vellumd --data-dir NEW --listen 127.0.0.1:0` of that build and runs,
#      with AFTER's `vellum` as the client for both servers (so only the server differs):
#        receipts  vellum bench http   --clients 64 --requests 50000 --receipt --entry-bytes 300
#        batch     vellum bench http   --clients 8 --requests 1000 --batch 1000 --entry-bytes 300
#        proofs    vellum bench proofs --clients 16 --requests 100000      (log of 1,050,000)
#        events    vellum bench events --clients 16 --requests 20000 --format $EVENTS_FORMAT
#      measuring the server's utime+stime (/proc/PID/stat, clock ticks) around each step;
#      then stops the server;
#   2. runs that build's own `vellum bench append --data-dir NEW --entries 300000
#      --entry-bytes 300` (in-process) under /usr/bin/time.
# Before each step the server must be idle (CPU below SETTLE_TICKS per 0.5 s, twice; at most
# SETTLE_MAX_S), so the previous step's background work (LevelDB compaction, index follower)
# is not charged to it; after each step it waits again and also records the CPU including that
# tail ("tail" columns).
#
# Output: OUT_DIR/results.tsv (one line per round, build, step), OUT_DIR/results.jsonl (the
# same plus the client's JSON line), OUT_DIR/logs/ (server and client output), OUT_DIR/meta.txt,
# and OUT_DIR/summary.txt (medians per build and after/before ratios), also printed.
#
# Environment knobs (defaults in brackets):
#   STEPS [receipts batch proofs events append]   a subset, in this order, for quick checks
#   ORDER [fixed]          fixed: BEFORE then AFTER every round; alternate: swap in even rounds
#   EVENTS_FORMAT [protobuf]  --format of bench events (cli.md's default is json; the docs'
#                          before/after comparison of events used protobuf)
#   VELLUMD_ARGS []        extra vellumd flags, for both builds
#   MAX_SECONDS [300]      --max-seconds for every client
#   STEP_TIMEOUT_S [900]   hard limit (timeout(1)) on every client process
#   SETTLE_TICKS [2] SETTLE_MAX_S [30]   idle criterion before/after each step
#   DATA_ROOT [OUT_DIR/data]   where the fresh data directories go (deleted after use)
#   KEEP_DATA [0]          1 keeps the data directories
#   PROOFS_WARMUP [0]      if N > 0, N proofs (not counted) before the measured proofs step,
#                          as the docs' proof-serving comparison did (it fills the tile cache)
#   CLIENT [AFTER_DIR/vellum]  the load generator used against both servers
set -euo pipefail

usage() { echo "usage: $0 BEFORE_DIR AFTER_DIR ROUNDS OUT_DIR" >&2; exit 2; }
[[ $# -eq 4 ]] || usage
BEFORE_DIR=$(cd "$1" && pwd)
AFTER_DIR=$(cd "$2" && pwd)
ROUNDS=$3
OUT_DIR=$4
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || usage
for d in "$BEFORE_DIR" "$AFTER_DIR"; do
  for b in vellumd vellum; do
    [[ -x $d/$b ]] || { echo "bench_compare.sh: $d/$b missing or not executable" >&2; exit 2; }
  done
done

STEPS=${STEPS:-receipts batch proofs events append}
ORDER=${ORDER:-fixed}
EVENTS_FORMAT=${EVENTS_FORMAT:-protobuf}
VELLUMD_ARGS=${VELLUMD_ARGS:-}
MAX_SECONDS=${MAX_SECONDS:-300}
STEP_TIMEOUT_S=${STEP_TIMEOUT_S:-900}
SETTLE_TICKS=${SETTLE_TICKS:-2}
SETTLE_MAX_S=${SETTLE_MAX_S:-30}
KEEP_DATA=${KEEP_DATA:-0}
PROOFS_WARMUP=${PROOFS_WARMUP:-0}
CLIENT=${CLIENT:-$AFTER_DIR/vellum}
HZ=$(getconf CLK_TCK)
PY=/usr/bin/python3

mkdir -p "$OUT_DIR/logs"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
DATA_ROOT=${DATA_ROOT:-$OUT_DIR/data}
mkdir -p "$DATA_ROOT"
TSV=$OUT_DIR/results.tsv
JSONL=$OUT_DIR/results.jsonl
if [[ -e $TSV ]]; then
  echo "bench_compare.sh: $TSV exists; use a new OUT_DIR" >&2; exit 2
fi

COLS="round build pos step ok ops unit rate rate_unit p50_ms p99_ms errors srv_ticks srv_ticks_tail srv_us_per_op srv_us_per_op_tail client_user_s client_sys_s client_us_per_op wall_s settle_before_s settle_after_s load_before load_after tree_size"
echo "$COLS" | tr ' ' '\t' >"$TSV"
: >"$JSONL"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$OUT_DIR/run.log" >&2; }

{
  echo "date: $(date -Is)"
  echo "host: $(uname -a)"
  echo "nproc: $(nproc); CLK_TCK: $HZ"
  echo "before: $BEFORE_DIR"; sha256sum "$BEFORE_DIR/vellumd" "$BEFORE_DIR/vellum"
  echo "after: $AFTER_DIR"; sha256sum "$AFTER_DIR/vellumd" "$AFTER_DIR/vellum"
  echo "client: $CLIENT"
  echo "rounds: $ROUNDS order: $ORDER steps: $STEPS events_format: $EVENTS_FORMAT"
  echo "vellumd_args: $VELLUMD_ARGS proofs_warmup: $PROOFS_WARMUP"
} >"$OUT_DIR/meta.txt"

# --- process CPU --------------------------------------------------------------------------
# utime + stime (fields 14 and 15 of /proc/PID/stat), all threads, in clock ticks.
ticks() {
  local s
  s=$(<"/proc/$1/stat") || return 1
  s=${s##*) }
  # shellcheck disable=SC2086
  set -- $s
  echo $(( ${12} + ${13} ))
}

loadavg() { cut -d' ' -f1 /proc/loadavg; }

# Waits (bounded) until the server uses at most SETTLE_TICKS per 0.5 s twice in a row.
# Prints the seconds waited.
settle() {
  local pid=$1 prev cur quiet=0 i max=$(( SETTLE_MAX_S * 2 )) start=$SECONDS
  prev=$(ticks "$pid")
  for (( i = 0; i < max; i++ )); do
    sleep 0.5
    cur=$(ticks "$pid")
    if (( cur - prev <= SETTLE_TICKS )); then
      quiet=$(( quiet + 1 ))
      (( quiet >= 2 )) && break
    else
      quiet=0
    fi
    prev=$cur
  done
  echo $(( SECONDS - start ))
}

# --- the server ---------------------------------------------------------------------------
SRV_PID=
SRV_URL=
start_server() {  # bin_dir data_dir log
  local bin=$1 data=$2 slog=$3 i
  # shellcheck disable=SC2086
  "$bin/vellumd" --data-dir "$data" --listen 127.0.0.1:0 $VELLUMD_ARGS >"$slog" 2>&1 &
  SRV_PID=$!
  SRV_URL=
  for (( i = 0; i < 600; i++ )); do
    if ! kill -0 "$SRV_PID" 2>/dev/null; then
      log "vellumd exited at start; see $slog"; SRV_PID=; return 1
    fi
    SRV_URL=$(grep -o -m1 'serving http://127\.0\.0\.1:[0-9]*' "$slog" | sed 's/^serving //') || true
    [[ -n $SRV_URL ]] && return 0
    sleep 0.1
  done
  log "vellumd did not print its address within 60 s; see $slog"
  stop_server
  return 1
}

stop_server() {
  [[ -n $SRV_PID ]] || return 0
  local i
  kill -TERM "$SRV_PID" 2>/dev/null || true
  for (( i = 0; i < 300; i++ )); do
    kill -0 "$SRV_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SRV_PID" 2>/dev/null; then
    log "vellumd $SRV_PID still running 30 s after SIGTERM; SIGKILL"
    kill -KILL "$SRV_PID" 2>/dev/null || true
  fi
  local rc=0
  wait "$SRV_PID" 2>/dev/null || rc=$?
  (( rc == 0 )) || log "  vellumd $SRV_PID exited with status $rc"
  SRV_PID=
}

cleanup() { stop_server; }
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# --- one step -------------------------------------------------------------------------------
# record ROUND BUILD POS STEP OK OPS UNIT RATE RATE_UNIT JSON SRV_T SRV_TT CU CS WALL SB SA LB LA
record() {
  local round=$1 build=$2 pos=$3 step=$4 ok=$5 ops=$6 unit=$7 rate=$8 rate_unit=$9
  local json=${10} st=${11} stt=${12} cu=${13} cs=${14} wall=${15} sb=${16} sa=${17} lb=${18} la=${19}
  local p50 p99 errors tree
  p50=$(jq -r '.p50_ms // "NA"' <<<"$json" 2>/dev/null || echo NA)
  p99=$(jq -r '.p99_ms // "NA"' <<<"$json" 2>/dev/null || echo NA)
  errors=$(jq -r '.errors // "NA"' <<<"$json" 2>/dev/null || echo NA)
  tree=$(jq -r '.tree_size // "NA"' <<<"$json" 2>/dev/null || echo NA)
  local srv_us srv_us_t cl_us
  srv_us=$(awk -v t="$st" -v n="$ops" -v hz="$HZ" 'BEGIN{ if (t == "NA" || n+0 <= 0) print "NA"; else printf "%.3f", t * 1e6 / hz / n }')
  srv_us_t=$(awk -v t="$stt" -v n="$ops" -v hz="$HZ" 'BEGIN{ if (t == "NA" || n+0 <= 0) print "NA"; else printf "%.3f", t * 1e6 / hz / n }')
  cl_us=$(awk -v u="$cu" -v s="$cs" -v n="$ops" 'BEGIN{ if (u == "NA" || n+0 <= 0) print "NA"; else printf "%.3f", (u + s) * 1e6 / n }')
  printf '%s\n' "$round $build $pos $step $ok $ops $unit $rate $rate_unit $p50 $p99 $errors $st $stt $srv_us $srv_us_t $cu $cs $cl_us $wall $sb $sa $lb $la $tree" | tr ' ' '\t' >>"$TSV"
  local rowjson
  rowjson=$(head -1 "$TSV" | tr '\t' '\n' | paste -d'\t' - <(tail -1 "$TSV" | tr '\t' '\n') |
    jq -R -s -c 'split("\n") | map(select(length > 0) | split("\t") | {(.[0]): (.[1] | (tonumber? // .))}) | add')
  if [[ -z $json ]] || ! jq -e . >/dev/null 2>&1 <<<"$json"; then json=null; fi
  jq -c -n --argjson row "$rowjson" --argjson client "$json" '$row + {client: $client}' >>"$JSONL"
  log "  $build $step: ok=$ok ops=$ops $rate $rate_unit; server ${srv_us} us/$unit (tail ${srv_us_t}); client ${cl_us} us/$unit; p99 ${p99} ms; load $lb->$la"
}

# Runs a client under timeout and /usr/bin/time. Sets CL_RC, CL_JSON, CL_U, CL_S, CL_WALL.
run_client() {  # name -- command...
  local name=$1; shift
  local out="$LOGDIR/$name.out" err="$LOGDIR/$name.err" tf="$LOGDIR/$name.time"
  CL_RC=0
  timeout -k 10 "$STEP_TIMEOUT_S" /usr/bin/time -f '%U %S %e' -o "$tf" "$@" >"$out" 2>"$err" || CL_RC=$?
  CL_JSON=$(grep '^{' "$out" | tail -1 || true)
  read -r CL_U CL_S CL_WALL < <(tail -1 "$tf" 2>/dev/null | grep -E '^[0-9.]+ [0-9.]+ [0-9.]+$' || echo "NA NA NA")
}

json_field() {
  local v
  v=$(jq -r "$1 // \"NA\"" <<<"$CL_JSON" 2>/dev/null) || v=NA
  echo "${v:-NA}"
}

server_step() {  # round build pos step ops_field rate_field unit rate_unit -- client args...
  local round=$1 build=$2 pos=$3 step=$4 ops_f=$5 rate_f=$6 unit=$7 rate_unit=$8
  shift 8
  local sb sa lb la t0 t1 t2 ok=1 ops rate
  if ! kill -0 "$SRV_PID" 2>/dev/null; then
    log "  $build $step: server not running"; record "$round" "$build" "$pos" "$step" 0 NA "$unit" NA "$rate_unit" "" NA NA NA NA NA NA NA NA NA
    return
  fi
  sb=$(settle "$SRV_PID")
  lb=$(loadavg)
  t0=$(ticks "$SRV_PID")
  run_client "r${round}-${build}-${step}" "$CLIENT" bench "$@" --server "$SRV_URL" --max-seconds "$MAX_SECONDS"
  t1=$(ticks "$SRV_PID" || echo NA)
  la=$(loadavg)
  if [[ $t1 != NA ]]; then sa=$(settle "$SRV_PID"); t2=$(ticks "$SRV_PID" || echo NA); else sa=NA; t2=NA; fi
  ops=$(json_field "$ops_f"); rate=$(json_field "$rate_f")
  local errs; errs=$(json_field .errors)
  [[ $CL_RC == 0 && $errs == 0 && $ops != NA && $t1 != NA ]] || ok=0
  (( ok )) || log "  $build $step: FAILED (exit $CL_RC, errors $errs); see $LOGDIR/r${round}-${build}-${step}.err"
  local st=NA stt=NA
  [[ $t1 != NA ]] && st=$(( t1 - t0 ))
  [[ $t2 != NA ]] && stt=$(( t2 - t0 ))
  record "$round" "$build" "$pos" "$step" "$ok" "$ops" "$unit" "$rate" "$rate_unit" "$CL_JSON" \
    "$st" "$stt" "$CL_U" "$CL_S" "$CL_WALL" "$sb" "$sa" "$lb" "$la"
}

has_step() { [[ " $STEPS " == *" $1 "* ]]; }

run_build() {  # round build_label bin_dir pos
  local round=$1 build=$2 bin=$3 pos=$4
  local data="$DATA_ROOT/r${round}-${build}"
  rm -rf "$data"; mkdir -p "$data"
  if has_step receipts || has_step batch || has_step proofs || has_step events; then
    log "round $round: $build server ($bin/vellumd)"
    if start_server "$bin" "$data/srv" "$LOGDIR/r${round}-${build}-vellumd.log"; then
      log "  serving $SRV_URL (pid $SRV_PID)"
      if has_step receipts; then
        server_step "$round" "$build" "$pos" receipts .requests .requests_per_second req req/s \
          http --clients 64 --requests 50000 --receipt --entry-bytes 300
      fi
      if has_step batch; then
        server_step "$round" "$build" "$pos" batch .entries .entries_per_second entry entries/s \
          http --clients 8 --requests 1000 --batch 1000 --entry-bytes 300
      fi
      if has_step proofs; then
        if (( PROOFS_WARMUP > 0 )); then
          log "  $build proofs warm-up: $PROOFS_WARMUP proofs (not counted)"
          run_client "r${round}-${build}-proofs-warmup" "$CLIENT" bench proofs --server "$SRV_URL" \
            --clients 16 --requests "$PROOFS_WARMUP" --max-seconds "$MAX_SECONDS"
        fi
        server_step "$round" "$build" "$pos" proofs .requests .requests_per_second proof proofs/s \
          proofs --clients 16 --requests 100000
      fi
      if has_step events; then
        server_step "$round" "$build" "$pos" events .events .events_per_second event events/s \
          events --clients 16 --requests 20000 --format "$EVENTS_FORMAT"
      fi
      stop_server
    else
      for s in receipts batch proofs events; do
        if has_step "$s"; then record "$round" "$build" "$pos" "$s" 0 NA NA NA NA "" NA NA NA NA NA NA NA NA NA; fi
      done
    fi
  fi
  if has_step append; then
    log "round $round: $build in-process append ($bin/vellum)"
    local lb la ok=1 ops rate
    lb=$(loadavg)
    run_client "r${round}-${build}-append" "$bin/vellum" bench append --data-dir "$data/append" \
      --entries 300000 --entry-bytes 300 --max-seconds "$MAX_SECONDS"
    la=$(loadavg)
    ops=$(json_field .entries); rate=$(json_field .entries_per_second)
    local errs; errs=$(json_field .errors)
    [[ $CL_RC == 0 && $errs == 0 && $ops != NA && $CL_U != NA ]] || ok=0
    (( ok )) || log "  $build append: FAILED (exit $CL_RC, errors $errs)"
    # The process is the whole benchmark: its CPU goes in the server columns (ticks = s * HZ).
    local pt=NA
    [[ $CL_U != NA ]] && pt=$(awk -v u="$CL_U" -v s="$CL_S" -v hz="$HZ" 'BEGIN{printf "%d", (u + s) * hz + 0.5}')
    record "$round" "$build" "$pos" append "$ok" "$ops" entry "$rate" entries/s "$CL_JSON" \
      "$pt" "$pt" NA NA "$CL_WALL" 0 0 "$lb" "$la"
  fi
  if [[ $KEEP_DATA != 1 ]]; then rm -rf "$data"; fi
}

LOGDIR=$OUT_DIR/logs
START=$SECONDS
log "bench_compare.sh: before=$BEFORE_DIR after=$AFTER_DIR rounds=$ROUNDS out=$OUT_DIR client=$CLIENT"
for (( r = 1; r <= ROUNDS; r++ )); do
  if [[ $ORDER == alternate ]] && (( r % 2 == 0 )); then
    run_build "$r" after "$AFTER_DIR" 1
    run_build "$r" before "$BEFORE_DIR" 2
  else
    run_build "$r" before "$BEFORE_DIR" 1
    run_build "$r" after "$AFTER_DIR" 2
  fi
  log "round $r done at $(( SECONDS - START )) s"
done
rmdir "$DATA_ROOT" 2>/dev/null || true

# --- summary --------------------------------------------------------------------------------
"$PY" - "$TSV" <<'EOF' | tee "$OUT_DIR/summary.txt"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
steps = []
for r in rows:
    if r["step"] not in steps:
        steps.append(r["step"])
def med(step, build, col):
    v = []
    for r in rows:
        if r["step"] == step and r["build"] == build and r["ok"] == "1" and r[col] not in ("NA", ""):
            v.append(float(r[col]))
    return (statistics.median(v), len(v)) if v else (None, 0)
def fmt(x, p=2):
    return "NA" if x is None else (f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.{p}f}")
def ratio(a, b):
    return None if a is None or b in (None, 0) else a / b
failed = [r for r in rows if r["ok"] != "1"]
print()
print("Medians over ok runs (n = runs). srv = server CPU (utime+stime) per op during the client's")
print("run; +tail adds the CPU until the server was idle again; for 'append' it is the whole")
print("in-process benchmark's CPU per entry. ratio = after / before (> 1.10 on srv is a regression).")
print()
hdr = ["step", "unit", "n b/a", "srv µs before", "srv µs after", "ratio",
       "+tail before", "+tail after", "ratio", "client µs b/a", "rate before", "rate after", "ratio", "unit"]
out = [hdr]
flags = []
for s in steps:
    unit = next(r["unit"] for r in rows if r["step"] == s)
    ru = next(r["rate_unit"] for r in rows if r["step"] == s)
    sb, nb = med(s, "before", "srv_us_per_op"); sa, na = med(s, "after", "srv_us_per_op")
    tb, _ = med(s, "before", "srv_us_per_op_tail"); ta, _ = med(s, "after", "srv_us_per_op_tail")
    cb, _ = med(s, "before", "client_us_per_op"); ca, _ = med(s, "after", "client_us_per_op")
    rb, _ = med(s, "before", "rate"); ra, _ = med(s, "after", "rate")
    rs = ratio(sa, sb)
    if rs is not None and rs > 1.10:
        flags.append(f"{s}: server CPU per {unit} after/before = {rs:.3f} (> 1.10)")
    out.append([s, unit, f"{nb}/{na}", fmt(sb), fmt(sa), fmt(rs, 3), fmt(tb), fmt(ta), fmt(ratio(ta, tb), 3),
                f"{fmt(cb)}/{fmt(ca)}", fmt(rb), fmt(ra), fmt(ratio(ra, rb), 3), ru])
w = [max(len(str(r[i])) for r in out) for i in range(len(hdr))]
for r in out:
    print("  ".join(str(c).rjust(w[i]) if i > 1 else str(c).ljust(w[i]) for i, c in enumerate(r)))
print()
sizes = sorted({r["tree_size"] for r in rows if r["step"] == "proofs" and r["tree_size"] != "NA"})
if sizes:
    print("proofs served from a log of", ", ".join(sizes), "entries")
loads = [float(r[c]) for r in rows for c in ("load_before", "load_after") if r[c] not in ("NA", "")]
if loads:
    print(f"load average during the runs: {min(loads):.2f} to {max(loads):.2f}")
if failed:
    print(f"{len(failed)} failed run(s), excluded:", ", ".join(f"r{r['round']} {r['build']} {r['step']}" for r in failed))
print("REGRESSION: " + "; ".join(flags) if flags else "no step's server CPU per op regressed by more than 10% (medians)")
EOF
log "bench_compare.sh: finished in $(( SECONDS - START )) s; results in $TSV"
