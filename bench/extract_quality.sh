#!/usr/bin/env bash
# Quality of generic extraction on pages it has never seen, in one table: the
# article-extraction-benchmark (181 news and blog pages; its own metric: 4-token shingles,
# macro precision/recall/F1) and the WCXB development split (1,497 pages of 1,295 sites in 7
# page types; its own metric: word-level P/R/F1 per page type, plus the publication date,
# title and author). Each page is one `gleaner extract --generic` process.
#
#   bench/extract_quality.sh [BUILD_DIR [SHARED_DIR]]
#     BUILD_DIR   holds the gleaner binary                        (default: build)
#     SHARED_DIR  holds data/aeb, data/wcxb-dev and tools/run_*.py (default: ../shared)
#
# The data and the scorers live outside the repository; a missing set is skipped. The raw
# reports of both scorers stay in BUILD_DIR/extract-quality/ (per-page rows in wcxb.tsv).
set -euo pipefail

build_dir="${1:-build}"
shared="${2:-../shared}"
tools="${shared}/tools"

if [[ ! -x "${build_dir}/gleaner" ]]; then
  echo "extract_quality: ${build_dir}/gleaner not built (cmake --build ${build_dir} --target gleaner)" >&2
  exit 2
fi
gleaner="$(cd "${build_dir}" && pwd)/gleaner"
out="${build_dir}/extract-quality"
mkdir -p "${out}"
cmd="${gleaner} extract --generic --url {url} {html}"
jobs=$(nproc 2>/dev/null || echo 2)

aeb=""
if [[ -f "${shared}/data/aeb/ground-truth.json" && -f "${tools}/run_aeb.py" ]]; then
  python3 "${tools}/run_aeb.py" --data "${shared}/data/aeb" --cmd "${cmd}" >"${out}/aeb.txt" || true
  # The scorer's row: "name [version] F1 ± sd  P ± sd  R ± sd  accuracy ± sd  n" (the
  # version column is empty for a prediction file).
  aeb=$(awk '{for (i = 1; i < NF; ++i) if ($(i + 1) == "±") {print $i, $(i + 3), $(i + 6); exit}}' \
    "${out}/aeb.txt")
else
  echo "extract_quality: no AEB data or scorer under ${shared}; skipped" >&2
fi

wcxb=""
if [[ -d "${shared}/data/wcxb-dev/ground-truth" && -f "${tools}/run_wcxb.py" ]]; then
  python3 "${tools}/run_wcxb.py" --data "${shared}/data/wcxb-dev" --cmd "${cmd}" \
    --jobs "${jobs}" --tsv "${out}/wcxb.tsv" >"${out}/wcxb.txt"
  wcxb=yes
else
  echo "extract_quality: no WCXB dev data or scorer under ${shared}; skipped" >&2
fi

printf '%-26s %6s %6s %6s %7s %6s %8s\n' suite pages F1 P R with without
if [[ -n "${aeb}" ]]; then
  read -r f1 p r <<<"${aeb}"
  printf '%-26s %6s %6s %6s %7s %6s %8s\n' "aeb" 181 "${f1}" "${p}" "${r}" - -
fi
if [[ -n "${wcxb}" ]]; then
  # run_wcxb.py's rows: "type pages F1 P R with without", then the metadata and total lines.
  awk 'NF == 7 && $2 ~ /^[0-9]+$/ {printf "%-26s %6s %6s %6s %7s %6s %8s\n", "wcxb-dev " $1, $2, $3, $4, $5, $6, $7}' \
    "${out}/wcxb.txt"
  grep -E '^wcxb-dev ' "${out}/wcxb.txt" | sed -E 's/^wcxb-dev all: /wcxb-dev all types: /'
  grep -E '^metadata:' "${out}/wcxb.txt"
fi
echo "reports: ${out}/aeb.txt ${out}/wcxb.txt"
