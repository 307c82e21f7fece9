#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs them for a while each.
#
#   bash fuzz/run.sh [SECONDS] [TARGET...]     SECONDS per target (default 30); all targets
#                                              when none is named (fuzz/*_fuzzer.cc)
#
# Each target runs on a copy of its seed corpus (fuzz/corpus/TARGET) kept in the build
# directory, so the repository is never modified and a later run goes on from what earlier
# runs found (delete BUILD/fuzz-runs to start over). Targets run side by side, one per
# core. Exit 0 when no target failed; 1 when one crashed, hung past the per-input timeout
# or went over the memory cap: its report and the reproducer's path are printed, and
# `BUILD/fuzz/fuzz_TARGET REPRODUCER` replays it.
#
# Settings (environment):
#   FUZZ_BUILD_DIR  build directory (default build-fuzz), configured with CXX=clang++
#   FUZZ_JOBS       targets run at once (default: the number of cores)
#   FUZZ_TIMEOUT    seconds one input may take before it counts as a hang (default 10:
#                   the slowest seed page takes well under a second with the sanitizers)
#   FUZZ_RSS_MB     memory cap per target process in MB (default 2048, libFuzzer's own;
#                   one input allocating beyond it counts as a failure too)
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: bash fuzz/run.sh [SECONDS] [TARGET...]" >&2
  exit 2
fi
build=${FUZZ_BUILD_DIR:-build-fuzz}
parallel=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
timeout=${FUZZ_TIMEOUT:-10}
rss_mb=${FUZZ_RSS_MB:-2048}

targets=("$@")
if ((${#targets[@]} == 0)); then
  for src in fuzz/*_fuzzer.cc; do
    name=$(basename "$src" _fuzzer.cc)
    targets+=("$name")
  done
fi
for t in "${targets[@]}"; do
  if [ ! -f "fuzz/${t}_fuzzer.cc" ]; then
    echo "fuzz: no target '$t' (fuzz/${t}_fuzzer.cc)" >&2
    exit 2
  fi
done

# The fuzz build: its own directory, clang, RelWithDebInfo so reports name lines.
if [ ! -f "$build/CMakeCache.txt" ]; then
  CXX=${FUZZ_CXX:-clang++} cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGLEANER_FUZZ=ON || exit 1
fi
cmake --build "$build" -j "$parallel" --target fuzzers || exit 1

# One target: a fresh copy of the seeds merged into its working corpus, then libFuzzer.
run_target() {
  local t=$1 work="$build/fuzz-runs/$1"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp -n fuzz/corpus/"$t"/* "$work/corpus/" 2>/dev/null
  # The project's own inputs seed their parsers too, read where they live rather than
  # copied into fuzz/corpus: every fixture page, every bundled site file.
  case $t in
    extract_page|suggest)
      for page in tests/fixtures/pages/*/source.html; do
        cp -n "$page" "$work/corpus/fixture-$(basename "$(dirname "$page")").html"
      done ;;
    site_file) for site in sites/*.yaml; do cp -n "$site" "$work/corpus/site-$(basename "$site")"; done ;;
  esac
  local dict=()
  local dict_name=$t
  [ "$t" = suggest ] && dict_name=extract_page  # the same input: an HTML page
  [ -f "fuzz/dict/$dict_name.dict" ] && dict=(-dict="fuzz/dict/$dict_name.dict")
  UBSAN_OPTIONS=print_stacktrace=1 "$build/fuzz/fuzz_$t" "$work/corpus" "${dict[@]}" \
    -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 >"$work/log" 2>&1
  echo $? >"$work/rc"
}

echo "fuzz: ${targets[*]}: $seconds s each, $parallel at a time" >&2
for t in "${targets[@]}"; do
  rm -f "$build/fuzz-runs/$t/rc" "$build/fuzz-runs/$t/artifacts/"* 2>/dev/null
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n; done
  run_target "$t" &
done
wait

failed=0
for t in "${targets[@]}"; do
  work="$build/fuzz-runs/$t"
  rc=$(cat "$work/rc" 2>/dev/null || echo "?")
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/log" | grep -oE '[0-9]+$')
  cov=$(grep -oE 'cov: [0-9]+' "$work/log" | tail -1)
  if [ "$rc" = 0 ]; then
    echo "fuzz: ok    $t: ${runs:-?} inputs, ${cov:-cov: ?}, corpus $(ls "$work/corpus" | wc -l) files"
    continue
  fi
  failed=1
  reproducer=$(ls -t "$work/artifacts/"* 2>/dev/null | head -1)
  echo "fuzz: FAIL  $t (exit $rc); log: $work/log"
  # The sanitizer's or libFuzzer's report: from its first line to the end.
  sed -n '/^==[0-9]*==\|^ALARM\|runtime error\|^NormalizeUrl\|^fuzz_/,$p' "$work/log" | head -60 | sed 's/^/    /'
  if [ -n "$reproducer" ]; then
    echo "fuzz: reproducer: $reproducer"
    echo "fuzz: replay it:  $build/fuzz/fuzz_$t $reproducer"
  fi
done
exit "$failed"
