#!/usr/bin/env bash
# Checks a gleaner .deb the way a Debian 12 admin would meet it:
#
#   bash packaging/check_deb.sh BUILD_DIR/gleaner_VERSION_ARCH.deb
#
# 1. lintian, failing on any error (every tag is printed, overridden ones too);
# 2. a minimal Debian 12 root (debootstrap --variant=minbase) in a temporary directory beside
#    the .deb, into which apt installs the package and its dependencies, without recommends;
# 3. in that root: `gleaner version` and `gleaner check` on the installed /etc/gleaner,
#    the gleaner user, the unit enabled, naming /usr/bin/gleaner and passing
#    `systemd-analyze verify`, the config a conffile; a local edit of the config surviving
#    a reinstall of the same package; remove keeping the config and the state in
#    /var/lib/gleaner, purge deleting both.
#
# Needs root (debootstrap, chroot, mount), lintian and debootstrap, and Debian's mirror as
# configured in /etc/apt (the root's packages come from there; MIRROR=URL overrides it).
# KEEP_ROOT=1 keeps the root for a look after the run. Exit 0 when every check passes.
set -euo pipefail

fail() {
  echo "check_deb.sh: FAIL: $*" >&2
  exit 1
}
ok() { echo "check_deb.sh: ok: $*"; }

[ $# -eq 1 ] || { echo "usage: bash packaging/check_deb.sh GLEANER.deb" >&2; exit 2; }
[ -f "$1" ] || fail "$1: no such file"
deb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ "$(id -u)" -eq 0 ] || fail "needs root (debootstrap, chroot and mount)"
for tool in lintian debootstrap dpkg-deb; do
  command -v "$tool" >/dev/null || fail "$tool is missing: apt-get install $tool"
done

# Seconds since the epoch, with the step's name, for the summary at the end.
timings=()
started=0
begin() {
  echo "== $1"
  started=$(date +%s)
}
finish() {
  local seconds=$(($(date +%s) - started))
  timings+=("$(printf '%-34s %4d s' "$1" "$seconds")")
}

echo "package: $deb"
echo "size: $(stat -c %s "$deb") bytes; Installed-Size: $(dpkg-deb -f "$deb" Installed-Size) KiB"
dpkg-deb -f "$deb" Package Version Architecture Depends

# 1. lintian. Errors fail the check; warnings, info and pedantic tags are printed for people
# to read. The package's own overrides (/usr/share/lintian/overrides/gleaner) apply and
# are shown as O: lines.
begin lintian
status=0
lintian --fail-on error --display-info --pedantic --show-overrides --color never "$deb" ||
  status=$?
finish lintian
[ "$status" -eq 0 ] || fail "lintian reports errors (exit $status)"
ok "lintian: no error"

# The Debian mirrors this machine uses: "URI SUITE" for every enabled deb line of
# /etc/apt/sources.list (one-line format) and /etc/apt/sources.list.d/*.sources (deb822).
apt_sources() {
  local list
  for list in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$list" ] || continue
    awk '$1 == "deb" { line = $0; sub(/^deb[ \t]+(\[[^]]*\][ \t]+)?/, "", line)
                       split(line, field, /[ \t]+/); print field[1], field[2] }' "$list"
  done
  for list in /etc/apt/sources.list.d/*.sources; do
    [ -f "$list" ] || continue
    awk 'function flush(   u, s, nu, ns, us, ss) {
           if (types ~ /(^| )deb( |$)/ && enabled != "no") {
             nu = split(uris, us, " "); ns = split(suites, ss, " ")
             for (u = 1; u <= nu; u++) for (s = 1; s <= ns; s++) print us[u], ss[s]
           }
           types = uris = suites = enabled = ""
         }
         /^[ \t]*$/ { flush(); next }
         /^#/ { next }
         { key = tolower($1); sub(/:$/, "", key); $1 = "" ; sub(/^ /, "") }
         key == "types" { types = $0 } key == "uris" { uris = $0 }
         key == "suites" { suites = $0 } key == "enabled" { enabled = tolower($0) }
         END { flush() }' "$list"
  done
}
mirror_for() { apt_sources | awk -v suite="$1" '$2 == suite { print $1; exit }'; }
mirror=${MIRROR:-$(mirror_for bookworm)}
[ -n "$mirror" ] || fail "no Debian 12 (bookworm) mirror in /etc/apt/sources.list{,.d/}: set MIRROR=URL"
updates_mirror=$(mirror_for bookworm-updates)
security_mirror=$(mirror_for bookworm-security)
echo "mirror: $mirror${updates_mirror:+ (updates: $updates_mirror)}${security_mirror:+ (security: $security_mirror)}"

work=$(mktemp -d "$(dirname "$deb")/deb-check.XXXXXX")
root=$work/root

# Every mount under the root, deepest first, then the root itself is deleted, without
# crossing into anything still mounted (a bind-mounted /dev would be the host's).
cleanup() {
  local status=$? mounts mount_point
  mounts=$(awk -v root="$root" 'index($2, root "/") == 1 { print $2 }' /proc/mounts | sort -r)
  for mount_point in $mounts; do
    umount "$mount_point" 2>/dev/null || umount -l "$mount_point" || true
  done
  if [ "${KEEP_ROOT:-0}" = 1 ]; then
    echo "check_deb.sh: kept $root" >&2
  elif awk -v root="$root" 'index($2, root "/") == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    echo "check_deb.sh: something is still mounted under $root; not deleting $work" >&2
  else
    rm -rf --one-file-system "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs a command in the root: no stdin (a prompt fails instead of hanging), no host
# environment, apt and dpkg non-interactive.
in_root() {
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@" </dev/null
}

# 2. The minimal Debian 12 root: minbase is dpkg, apt and the essential packages, what a
# container image or a freshly debootstrapped box starts from.
begin "debootstrap --variant=minbase"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed (log above)"; }
finish "debootstrap --variant=minbase"
ok "Debian 12 minbase root in $root"

{
  echo "deb $mirror bookworm main"
  [ -z "$updates_mirror" ] || echo "deb $updates_mirror bookworm-updates main"
  [ -z "$security_mirror" ] || echo "deb $security_mirror bookworm-security main"
} >"$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# No service may start inside the root: it shares the host's kernel and network.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
cp "$deb" "$root/root/"
deb_name=$(basename "$deb")

begin "apt-get install ./$deb_name"
in_root apt-get update -qq
in_root sh -c "cd /root && apt-get install -y -q --no-install-recommends ./$deb_name" \
  >"$work/install.log" 2>&1 || { tail -30 "$work/install.log" >&2; fail "apt-get install failed"; }
finish "apt-get install (deps + gleaner)"
grep -E '^(Setting up|Unpacking) gleaner' "$work/install.log" || true
echo "packages installed with it: $(grep -c '^Setting up' "$work/install.log")"

# 3. The installed package.
in_root gleaner version || fail "gleaner version"
ok "gleaner version"
in_root gleaner check || fail "gleaner check on the installed /etc/gleaner"
ok "gleaner check on /etc/gleaner/gleaner.yaml and /etc/gleaner/sites"
in_root id gleaner || fail "no gleaner user"
ok "gleaner user and group exist"
wants=/etc/systemd/system/multi-user.target.wants/gleaner.service
[ "$(readlink "$root$wants")" = /lib/systemd/system/gleaner.service ] ||
  fail "$wants is not a link to /lib/systemd/system/gleaner.service"
ok "unit enabled: $wants -> $(readlink "$root$wants")"
grep -q '^ExecStart=/usr/bin/gleaner run ' "$root/lib/systemd/system/gleaner.service" ||
  fail "the installed unit does not start /usr/bin/gleaner"
grep -q '^Documentation=man:gleaner(1) file:///usr/share/doc/gleaner/README.md$' \
  "$root/lib/systemd/system/gleaner.service" || fail "the unit's Documentation= is not the installed README"
[ -f "$root/usr/share/doc/gleaner/README.md" ] || fail "README.md is not in /usr/share/doc/gleaner"
ok "the unit runs /usr/bin/gleaner and points at /usr/share/doc/gleaner/README.md"
# systemd's own reading of the installed unit, against the root's files (the binary at
# ExecStart= included). --man=no: minbase has no man(1) to look the man: link up with.
verify=$(in_root systemd-analyze verify --man=no /lib/systemd/system/gleaner.service 2>&1) ||
  { echo "$verify" >&2; fail "systemd-analyze verify rejects the installed unit"; }
[ -z "$verify" ] || { echo "$verify" >&2; fail "systemd-analyze verify has something to say about the installed unit"; }
ok "systemd-analyze verify: nothing to say about the installed unit"
# shellcheck disable=SC2016 # ${Conffiles} is dpkg-query's field, not a shell variable
conffiles=$(in_root dpkg-query --showformat='${Conffiles}\n' -W gleaner)
grep -q '^ /etc/gleaner/gleaner.yaml ' <<<"$conffiles" || fail "/etc/gleaner/gleaner.yaml is not a conffile"
ok "conffiles: $(grep -c . <<<"$conffiles") files, /etc/gleaner/gleaner.yaml among them"

# A local edit of a conffile survives a reinstall of the same package.
edit="# edited by check_deb.sh"
echo "$edit" >>"$root/etc/gleaner/gleaner.yaml"
begin "dpkg -i (reinstall)"
in_root dpkg -i "/root/$deb_name" >"$work/reinstall.log" 2>&1 ||
  { cat "$work/reinstall.log" >&2; fail "dpkg -i of the same package failed"; }
finish "dpkg -i (reinstall)"
grep -qxF "$edit" "$root/etc/gleaner/gleaner.yaml" || fail "the reinstall lost the edit of /etc/gleaner/gleaner.yaml"
in_root gleaner check >/dev/null || fail "gleaner check after the reinstall"
ok "the edit of /etc/gleaner/gleaner.yaml survived dpkg -i"

# The state directory as the service leaves it (systemd makes it, StateDirectory=, when
# gleaner first starts; nothing starts in the root, so it is made here).
in_root install -d -o gleaner -g gleaner -m 2770 /var/lib/gleaner
in_root runuser -u gleaner -- touch /var/lib/gleaner/gleaner.db

begin "apt-get remove"
in_root apt-get remove -y -q gleaner >"$work/remove.log" 2>&1 ||
  { cat "$work/remove.log" >&2; fail "apt-get remove failed"; }
finish "apt-get remove"
[ ! -e "$root/usr/bin/gleaner" ] || fail "remove left /usr/bin/gleaner"
[ -f "$root/var/lib/gleaner/gleaner.db" ] || fail "remove deleted the database"
grep -qxF "$edit" "$root/etc/gleaner/gleaner.yaml" || fail "remove deleted or reset the config"
ok "remove: binary gone, config and /var/lib/gleaner kept"

begin "apt-get purge"
in_root apt-get purge -y -q gleaner >"$work/purge.log" 2>&1 ||
  { cat "$work/purge.log" >&2; fail "apt-get purge failed"; }
finish "apt-get purge"
[ ! -e "$root/var/lib/gleaner" ] || fail "purge left /var/lib/gleaner"
[ ! -e "$root/etc/gleaner/gleaner.yaml" ] || fail "purge left /etc/gleaner/gleaner.yaml"
[ ! -e "$root$wants" ] || fail "purge left $wants"
in_root id gleaner >/dev/null || fail "purge removed the gleaner user (it must stay)"
ok "purge: /var/lib/gleaner, /etc/gleaner and the enable link gone; the gleaner user kept"

echo "== timings"
printf '%s\n' "${timings[@]}"
echo "package: $(stat -c %s "$deb") bytes, Installed-Size: $(dpkg-deb -f "$deb" Installed-Size) KiB"
echo "check_deb.sh: all checks passed"
