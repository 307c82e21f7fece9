#!/usr/bin/env bash
# check_format.sh: every C++ file of the tree is formatted as the repository's .clang-format
# says (Google base, 100 columns). Prints the files that are not, and exits 1; fix them
# with `clang-format -i FILE`. Runs from any directory; needs clang-format (Debian 12: 14).
set -euo pipefail
cd "$(dirname "$0")/.."
# node_modules (tests/warc's npm packages, installed by bootstrap.sh) is not ours to format.
mapfile -t files < <(find extractors daemon tests bench fuzz -name node_modules -prune -o \
  \( -name '*.cc' -o -name '*.h' \) -print | sort)
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
  printf 'check_format: not formatted as .clang-format says (clang-format -i FILE):\n' >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check_format: ${#files[@]} files formatted"
