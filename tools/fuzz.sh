#!/usr/bin/env bash
# Builds every fuzz target in //fuzz with libFuzzer (--config=fuzz) and runs each for
# SECONDS_PER_TARGET seconds (default 10) on a scratch copy of its seed corpus, so the checked-in
# corpus is never written. Prints one line per target and exits non-zero if any target crashed.
# Targets are found with `bazel query`, so new vellum_fuzz_target()s are picked up automatically.
#
# Usage: tools/fuzz.sh [SECONDS_PER_TARGET]
# Environment: BAZEL (default "bazel"); BAZEL_STARTUP_OPTS, e.g. "--output_base=/tmp/ob".
# A crashing target's input and log are kept in a scratch directory whose path is printed.
set -euo pipefail

seconds="${1:-10}"
if [[ ! "${seconds}" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [SECONDS_PER_TARGET]" >&2
  exit 2
fi

cd "$(dirname "$0")/.."
# Word splitting of the startup options is intended.
# shellcheck disable=SC2206
bazel=(${BAZEL:-bazel} ${BAZEL_STARTUP_OPTS:-})

targets=$("${bazel[@]}" query --noshow_progress 'kind(cc_binary, //fuzz:all)' 2>/dev/null)
if [[ -z "${targets}" ]]; then
  echo "fuzz.sh: no cc_binary fuzz targets in //fuzz" >&2
  exit 1
fi
scratch=$(mktemp -d -t vellum-fuzz.XXXXXX)
# The build log is kept out of sight: ld.gold prints hundreds of harmless "Cannot export local
# symbol '__asan_check_...'" warnings when linking ASan binaries.
if ! "${bazel[@]}" build --config=fuzz //fuzz:all >"${scratch}/build.log" 2>&1; then
  grep -v 'Cannot export local symbol' "${scratch}/build.log" | tail -n 40 >&2
  echo "fuzz.sh: build failed; full log in ${scratch}/build.log" >&2
  exit 1
fi
bin=$("${bazel[@]}" info --config=fuzz bazel-bin 2>/dev/null)

failed=0
for target in ${targets}; do
  name="${target##*:}"
  package="${target#//}"
  package="${package%%:*}"
  dir="${scratch}/${name}"
  mkdir -p "${dir}/corpus" "${dir}/artifacts"
  if [[ -d "fuzz/corpus/${name}" ]]; then
    cp -R "fuzz/corpus/${name}/." "${dir}/corpus/"
  fi
  seeds=$(find "${dir}/corpus" -type f | wc -l)
  if "${bin}/${package}/${name}" -max_total_time="${seconds}" -print_final_stats=1 \
      -artifact_prefix="${dir}/artifacts/" "${dir}/corpus" >"${dir}/log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "${dir}/log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "${dir}/log" | tail -n 1 || true)
    corpus=$(find "${dir}/corpus" -type f | wc -l)
    echo "PASS ${target}: ${runs:-?} runs in ${seconds}s, ${cov:-cov: ?}," \
      "corpus ${seeds} -> ${corpus}"
  else
    status=$?
    failed=1
    crash=$(find "${dir}/artifacts" -type f | head -n 1)
    echo "FAIL ${target}: exit ${status}, input ${crash:-none saved}, log ${dir}/log"
    grep -m 3 -E 'ERROR|SUMMARY|deadly signal' "${dir}/log" | sed 's/^/    /' || true
  fi
done

if [[ "${failed}" -ne 0 ]]; then
  echo "fuzz.sh: failures; inputs and logs are in ${scratch}" >&2
  exit 1
fi
rm -rf "${scratch}"
