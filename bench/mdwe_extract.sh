#!/usr/bin/env bash
# What systemd's MemoryDenyWriteExecute=yes costs extraction: bench_extract run as is, then
# with the kernel's equivalent switched on (prctl PR_SET_MDWE, Linux 6.3 or later), under
# which PCRE2 cannot map its JIT code and matches with its interpreter instead.
#
#   bash bench/mdwe_extract.sh build/bench/bench_extract [ROUNDS]
#
# Run from the source tree (bench_extract reads tests/fixtures/pages and sites/).
set -euo pipefail

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
  echo "usage: bash bench/mdwe_extract.sh BENCH_EXTRACT [ROUNDS]" >&2
  exit 2
fi
bench=$1
rounds=${2:-300}

echo "== JIT allowed (no MemoryDenyWriteExecute)"
"$bench" tests/fixtures/pages sites "$rounds"
echo "== MemoryDenyWriteExecute (PR_SET_MDWE): PCRE2 falls back to its interpreter"
python3 - "$bench" "$rounds" <<'EOF'
import ctypes, os, sys
PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
    sys.exit(f"mdwe_extract: prctl(PR_SET_MDWE) failed (errno {ctypes.get_errno()}): needs Linux 6.3 or later")
# The setting is inherited across execve.
os.execv(sys.argv[1], [sys.argv[1], "tests/fixtures/pages", "sites", sys.argv[2]])
EOF
