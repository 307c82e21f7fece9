#!/usr/bin/env bash
# check_pure.sh BINARY: the program built from gleaner_extractors alone runs, extracts the
# article, and needs neither libcurl nor libsqlite3 at run time.
set -euo pipefail
bin=$1
if readelf -d "$bin" | grep -E 'NEEDED.*(libcurl|libsqlite3)'; then
  echo "check_pure: $bin needs the network or database library above" >&2
  exit 1
fi
out=$("$bin")
for want in '"title":"Un titre"' 'Le second paragraphe' '"extractor":"generic"'; do
  if [[ "$out" != *"$want"* ]]; then
    echo "check_pure: output lacks $want: $out" >&2
    exit 1
  fi
done
echo "check_pure: ok"
