#!/usr/bin/env bash
# Builds the Debian package of gleaner from a configured build directory:
#
#   bash packaging/build_deb.sh BUILD_DIR
#
# builds what the package installs (the gleaner binary, and the man pages when the build
# defines them), runs `cpack -G DEB` there and prints the path of the .deb on stdout, alone
# (the build's and cpack's messages go to stderr), so `deb=$(bash packaging/build_deb.sh build)`.
# The build directory should be a Release one (bootstrap.sh's build/). Needs cmake, cpack,
# dpkg-dev (dpkg-shlibdeps) and gzip. JOBS sets the build's parallelism (default: nproc).
set -euo pipefail

fail() {
  echo "build_deb.sh: $*" >&2
  exit 1
}

[ $# -eq 1 ] || { echo "usage: bash packaging/build_deb.sh BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || fail "$1: no such directory"
[ -f "$build/CMakeCache.txt" ] || fail "$build is not a configured build directory (no CMakeCache.txt)"
command -v dpkg-shlibdeps >/dev/null || fail "dpkg-shlibdeps is missing: apt-get install dpkg-dev"

build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
case "$build_type" in
  Release | RelWithDebInfo | MinSizeRel) ;;
  *) fail "$build is a '$build_type' build: the package ships an optimised, hardened binary (configure with -DCMAKE_BUILD_TYPE=Release)" ;;
esac

# Reconfigures first if the tree changed (a new site file is a new conffile), then
# writes packaging/targets, the list of targets the package needs.
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
cmake --build "$build" --target gleaner -j "$jobs" >&2
[ -f "$build/packaging/targets" ] || fail "$build/packaging/targets is missing: was the build configured with packaging/Package.cmake included?"
mapfile -t targets <"$build/packaging/targets"
for target in "${targets[@]}"; do
  [ "$target" = gleaner ] || cmake --build "$build" --target "$target" -j "$jobs" >&2
done

# A .deb left by an earlier run must not be mistaken for this one's.
rm -f "$build"/gleaner_*.deb
(cd "$build" && cpack -G DEB) >&2 || fail "cpack -G DEB failed in $build"

debs=("$build"/gleaner_*.deb)
[ -f "${debs[0]}" ] || fail "cpack reported success but wrote no gleaner_*.deb in $build"
[ ${#debs[@]} -eq 1 ] || fail "more than one package in $build: ${debs[*]}"
echo "${debs[0]}"
