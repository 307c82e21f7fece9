#!/usr/bin/env bash
# Checks that a binary carries Debian's hardening (see the top-level CMakeLists.txt):
#
#   bash tests/check_hardening.sh build/gleaner
#
# One line per property, then exit 0 when all hold, 1 when one is missing, 2 on misuse.
# It reads the ELF headers with readelf (binutils, which g++ already pulls in) rather than
# Debian's hardening-check: that one comes with devscripts, which drags about 45 Perl
# packages (some 12 MB to download, 64 MB installed) onto a minimal CI machine for five
# greps. What each property shows:
#   PIE        ELF type DYN with the PIE flag: the program is loaded at a random address
#   RELRO      a GNU_RELRO segment: relocated data is made read-only after start-up
#   BIND_NOW   every symbol resolved at start-up, so the whole GOT can be read-only too
#   stack      __stack_chk_fail imported: -fstack-protector-strong put canaries in
#   FORTIFY    glibc's __*_chk functions imported: _FORTIFY_SOURCE checks sizes it knows
set -uo pipefail
export LC_ALL=C

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  echo "usage: bash tests/check_hardening.sh BINARY" >&2
  exit 2
fi
binary=$1
if ! command -v readelf >/dev/null; then
  echo "check_hardening: readelf not found (Debian package binutils)" >&2
  exit 2
fi

header=$(readelf -hW "$binary") || exit 2
segments=$(readelf -lW "$binary") || exit 2
dynamic=$(readelf -dW "$binary") || exit 2
imports=$(readelf --dyn-syms -W "$binary" | awk '$7 == "UND" {print $8}') || exit 2

failures=0
report() {  # report NAME CONDITION-HELD WHAT-IS-MISSING
  if [ "$2" = yes ]; then
    echo "ok    $1"
  else
    echo "FAIL  $1: $3"
    failures=$((failures + 1))
  fi
}
holds() { if "$@"; then echo yes; else echo no; fi; }

report PIE "$(holds grep -q 'Type: *DYN' <<<"$header")" \
  "not a position-independent executable (link with -pie)"
report RELRO "$(holds grep -q 'GNU_RELRO' <<<"$segments")" \
  "no GNU_RELRO segment (link with -z relro)"
report BIND_NOW "$(holds grep -qE '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*\bNOW\b' <<<"$dynamic")" \
  "symbols are bound lazily (link with -z now)"
report stack "$(holds grep -q '^__stack_chk_fail' <<<"$imports")" \
  "no __stack_chk_fail import (compile with -fstack-protector-strong)"
fortified=$(grep -E '^__[a-z_0-9]+_chk(@|$)' <<<"$imports" | grep -v '^__stack_chk_fail' | \
            sed 's/@.*//' | sort -u | tr '\n' ' ')
report FORTIFY "$(holds test -n "$fortified")" \
  "no __*_chk import (compile with -O2 -D_FORTIFY_SOURCE=2)"
[ -n "$fortified" ] && echo "      fortified: $fortified"

if [ "$failures" -ne 0 ]; then
  echo "check_hardening: $binary: $failures hardening propert$([ "$failures" -eq 1 ] && echo y || echo ies) missing" >&2
  exit 1
fi
echo "check_hardening: $binary: hardened"
