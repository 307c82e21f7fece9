#!/usr/bin/env bash
# Quality of generic extraction on the article-extraction-benchmark: runs
# `gleaner extract --generic` on each of the 181 pages and scores the bodies with the
# benchmark's metric (4-token shingles, macro precision/recall, F1). Targets: F1 >= 0.970,
# precision >= 0.950.
#
#   bench/aeb_score.sh [BUILD_DIR [DATA_DIR [TOOLS_DIR]]]
#     BUILD_DIR  holds the gleaner binary     (default: build)
#     DATA_DIR   the benchmark data           (default: ../shared/data/aeb)
#     TOOLS_DIR  holds run_aeb.py/score_aeb.py (default: DATA_DIR/../../tools)
#
# The data and the scorer live outside the repository; when they are absent the script
# says so and exits 0, so nothing in the project depends on them.
set -euo pipefail

build_dir="${1:-build}"
data_dir="${2:-../shared/data/aeb}"
tools_dir="${3:-${data_dir}/../../tools}"

if [[ ! -f "${data_dir}/ground-truth.json" ]]; then
  echo "aeb_score: no benchmark data at ${data_dir} (ground-truth.json); skipped"
  exit 0
fi
if [[ ! -f "${tools_dir}/run_aeb.py" ]]; then
  echo "aeb_score: no scorer at ${tools_dir}/run_aeb.py; skipped"
  exit 0
fi
if [[ ! -x "${build_dir}/gleaner" ]]; then
  echo "aeb_score: ${build_dir}/gleaner not built (cmake --build ${build_dir} --target gleaner)" >&2
  exit 2
fi

gleaner="$(cd "${build_dir}" && pwd)/gleaner"
echo "aeb_score: scoring ${gleaner} extract --generic on ${data_dir}"
exec python3 "${tools_dir}/run_aeb.py" --data "${data_dir}" \
  --cmd "${gleaner} extract --generic --url {url} {html}"
