#!/usr/bin/env bash
# Sets up a Debian 12 machine for gleaner, builds it, then runs it or its tests.
#
#   bash bootstrap.sh run    installs what is missing, builds (Release) into build/,
#                            and runs the daemon on the bundled default config
#   bash bootstrap.sh test   installs what is missing, checks the formatting, builds with
#                            AddressSanitizer and UBSan (warnings are errors) into
#                            build-test/, installs the WARC tests' reader (npm ci in
#                            tests/warc) and runs every test with ctest; then
#                            builds the Release binary into build/ and checks its hardening
#                            (tests/check_hardening.sh), makes the Debian package from it and
#                            checks it (packaging/check_deb.sh); then builds the fuzz targets
#                            with clang into build-fuzz/ and runs each for 30 s (fuzz/run.sh)
#   bash bootstrap.sh deb    installs what is missing, builds the Release gleaner into build/,
#                            makes the Debian package (packaging/build_deb.sh) and checks it:
#                            lintian, then an install into a minimal Debian 12 root
#                            (packaging/check_deb.sh; needs root)
#
# Needs root (or sudo) only when a Debian package is missing. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-}
case "$mode" in
  run|test|deb) ;;
  *) echo "usage: bash bootstrap.sh run|test|deb" >&2; exit 2 ;;
esac

# Everything the build, the tests and the daemon need, by Debian 12 package name.
packages=(
  g++ make cmake pkg-config ca-certificates
  libgumbo-dev libxml2-dev libsqlite3-dev libyaml-cpp-dev libspdlog-dev catch2
  libcurl4-openssl-dev zlib1g-dev libexpected-dev libicu-dev libpcre2-dev
  nlohmann-json3-dev libsystemd-dev
  libzstd-dev libssl-dev  # the page archive: zstd bodies, SHA-256 (libcrypto)
  libpq-dev  # a cluster's PostgreSQL (cluster: in gleaner.yaml)
  libmicrohttpd-dev  # the metrics and status page server (metrics: in gleaner.yaml)
  scdoc  # the man pages (docs/man)
  systemd  # systemd-analyze: the tests verify the unit file
)
if [ "$mode" = test ]; then
  packages+=(
    binutils                    # readelf: tests/check_hardening.sh
    clang libclang-rt-14-dev    # the fuzz build: clang 14, libFuzzer, its sanitizer runtimes
    clang-format                # tests/check_format.sh
    postgresql-15               # the cluster tests start a real PostgreSQL 15 server
    prometheus                  # promtool checks the /metrics output
    chromium                    # the status page, rendered headless (--dump-dom, --screenshot)
    w3m                         # the status page, read in a text browser
    groff-base                  # docs/man/check_man.sh renders the man pages
    dpkg-dev lintian debootstrap  # the Debian package: made, lintian'd, installed in a root
  )
  # The WARC export's tests read gleaner's output with an independent reader, Node's warcio
  # (tests/warc). Debian's packages only where no node or npm is installed already.
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
if [ "$mode" = deb ]; then
  packages+=(
    dpkg-dev     # dpkg-shlibdeps: the package's Depends: (packaging/build_deb.sh)
    lintian debootstrap  # packaging/check_deb.sh
  )
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi

jobs=$(nproc 2>/dev/null || echo 2)
if [ "$mode" = test ]; then
  # The tree keeps the repository's .clang-format; a file that does not fails here, first.
  bash tests/check_format.sh
  cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGLEANER_SANITIZE=ON \
    -DGLEANER_WERROR=ON
  cmake --build build-test -j "$jobs"
  # warcio at the version tests/warc/package-lock.json pins, into tests/warc/node_modules.
  npm ci --prefix tests/warc --no-audit --no-fund
  (cd build-test && ctest --output-on-failure -j "$jobs" --timeout 600)
  # The hardening lives in the Release binary (the ASan build leaves FORTIFY out): build
  # that one target, as `bootstrap.sh run` would, and read its ELF headers.
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGLEANER_WERROR=ON
  cmake --build build -j "$jobs" --target gleaner
  bash tests/check_hardening.sh build/gleaner
  # The Debian package from that binary: lintian, then installed into a minimal Debian 12
  # root, where `gleaner version` and `gleaner check` must run (packaging/check_deb.sh).
  deb=$(JOBS=$jobs bash packaging/build_deb.sh build)
  bash packaging/check_deb.sh "$deb"
  # Every fuzz target briefly on a copy of its seeds; a crash, hang or memory blow-up fails
  # the run and names its reproducer. fuzz/README.md has the command for a long run.
  exec bash fuzz/run.sh 30
fi
if [ "$mode" = deb ]; then
  # The package is made from build/'s Release gleaner (packaging/README.md), then installed
  # into a throwaway Debian 12 root and checked there.
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
  deb=$(JOBS=$jobs bash packaging/build_deb.sh build)
  exec bash packaging/check_deb.sh "$deb"
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"
# The daemon in the foreground on the bundled config and sites (database: ./var/); Ctrl-C
# or SIGTERM stops it.
exec build/gleaner run --config config/gleaner.yaml
