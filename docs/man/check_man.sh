#!/bin/bash
# The man pages must keep up with the program: every command `gleaner help` lists has its
# section in gleaner(1) and every long option its --help prints is described there; every
# key of config/gleaner.yaml (commented-out ones too) is described in gleaner.yaml(5); and
# the built pages render without a groff warning.
#
# usage: check_man.sh GLEANER SOURCE_DIR PAGES_DIR
#   GLEANER     the gleaner binary
#   SOURCE_DIR  the source tree (docs/man/*.scd, config/gleaner.yaml)
#   PAGES_DIR   where the build put gleaner.1.gz, gleaner.yaml.5.gz, gleaner-sites.5.gz
# Prints one line per problem and exits 1 on any, else prints a summary and exits 0.
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 GLEANER SOURCE_DIR PAGES_DIR" >&2
  exit 2
fi
# Absolute paths: the checks run in a scratch directory.
gleaner=$(realpath -- "$1")
src=$(realpath -- "$2")
pages=$(realpath -- "$3")
cli_page=$src/docs/man/gleaner.1.scd
config_page=$src/docs/man/gleaner.yaml.5.scd
config=$src/config/gleaner.yaml
problems=0
for file in "$cli_page" "$config_page" "$config"; do
  if [[ ! -f $file ]]; then
    echo "$file: missing"
    exit 1
  fi
done

problem() {
  echo "$*"
  problems=$((problems + 1))
}

# The text of the section headed "## NAME" in an scdoc file: from its heading to the next
# heading of either level.
section() {
  awk -v name="$2" '
    /^#+ / { inside = ($0 ~ "^## " name "$") ; next }
    inside { print }
  ' "$1"
}

# True when `text` (stdin) mentions long option $1 as a whole option: --site must not be
# satisfied by --sites.
mentions_option() {
  grep -Eq -- "(^|[^a-z0-9-])$1([^a-z0-9-]|\$)"
}

# --- (a) gleaner(1) covers every command and every option its help prints --------------
# Run out of any source tree, so that no ./config or ./sites is read.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"

help=$("$gleaner" help)
commands=$(awk '/^commands:/ { listing = 1; next }
                listing && /^  [a-z]/ { print $1; next }
                listing { listing = 0 }' <<<"$help")
if [[ -z $commands ]]; then
  problem "gleaner help lists no commands (has its layout changed?)"
fi

options_checked=0
for command in $commands; do
  text=$(section "$cli_page" "$command")
  if [[ -z $text ]]; then
    problem "$cli_page: no section '## $command' for the command gleaner help lists"
    continue
  fi
  # `version` prints the version for --help too: it has no options to describe.
  [[ $command == version ]] && continue
  command_help=$("$gleaner" "$command" --help)
  for option in $(grep -Eo -- '--[a-z][a-z0-9-]*' <<<"$command_help" | sort -u); do
    options_checked=$((options_checked + 1))
    if ! mentions_option "$option" <<<"$text"; then
      problem "$cli_page: section '## $command' does not mention $option" \
              "(printed by gleaner $command --help)"
    fi
  done
done
# The options every command takes, which `gleaner help` names.
for option in $(grep -Eo -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u); do
  options_checked=$((options_checked + 1))
  if ! mentions_option "$option" <"$cli_page"; then
    problem "$cli_page does not mention $option (printed by gleaner help)"
  fi
done

# --- (b) gleaner.yaml(5) covers every key of config/gleaner.yaml ------------------------
# Keys are written `key:` at the start of a line, or `#key:` when commented out; nested
# ones are indented (`  #page_bytes: ...`), or, inside a commented-out section such as
# `#cluster:`, written `#  key: ...` (a '#', then the indentation). Prose comments have a
# space after the '#' and a word that is not followed by ':', and a commented-out section
# ends at the first line that is not part of it.
keys=$(awk '
  function emit(parent, key) { print (parent == "" ? "" : parent ".") key }
  /^#?[a-z_]+:/ {
    key = $0; sub(/^#/, "", key); sub(/:.*/, "", key)
    emit("", key); top = key; commented_top = ($0 ~ /^#/); next
  }
  /^[ \t]+#?[a-z_]+:/ && !commented_top {
    key = $0; sub(/^[ \t]+#?/, "", key); sub(/:.*/, "", key); emit(top, key); next
  }
  /^#[ \t][ \t]+[a-z_]+:/ && commented_top {
    key = $0; sub(/^#[ \t]+/, "", key); sub(/:.*/, "", key); emit(top, key); next
  }
  /^#/ && commented_top { next }
  { commented_top = 0 }
' "$config")
if [[ -z $keys ]]; then
  problem "$config: no keys found (has its layout changed?)"
fi
parents=$(grep -F . <<<"$keys" | cut -d. -f1 | sort -u || true)
keys_checked=0
for key in $keys; do
  keys_checked=$((keys_checked + 1))
  if [[ $key == *.* ]]; then
    # A nested key is described in its section's part: "## fetch" holds "*user_agent:*".
    parent=${key%%.*}
    child=${key#*.}
    # (Captured first: grep -q may stop reading early, and pipefail would count that.)
    text=$(section "$config_page" "$parent")
    if ! grep -Eq "^\*$child:\*" <<<"$text"; then
      problem "$config_page: section '## $parent' does not describe '$child:' (in $config)"
    fi
  elif grep -qx "$key" <<<"$parents"; then
    if ! grep -Eq "^## $key\$" "$config_page"; then
      problem "$config_page: no section '## $key' for the section $key: of $config"
    fi
  elif ! grep -Eq "^\*$key:\*" "$config_page"; then
    problem "$config_page does not describe '$key:' (in $config)"
  fi
done

# --- (c) the built pages render without warnings -----------------------------------------
rendered=0
if command -v groff >/dev/null; then
  for page in gleaner.1 gleaner.yaml.5 gleaner-sites.5; do
    if [[ ! -f $pages/$page.gz ]]; then
      problem "$pages/$page.gz: missing (build the man target first)"
      continue
    fi
    # -k: read the page as UTF-8, as man does (preconv); -ww: every warning; -z: no
    # output, only the diagnostics.
    warnings=$(gzip -dc "$pages/$page.gz" | groff -k -man -Tutf8 -ww -z 2>&1)
    if [[ -n $warnings ]]; then
      problem "$page: groff warns:"
      echo "$warnings"
    fi
    rendered=$((rendered + 1))
  done
else
  echo "groff is not installed: the rendering check is skipped (apt install groff-base)"
fi

if ((problems > 0)); then
  echo "$problems problem(s)"
  exit 1
fi
echo "man pages OK: $(wc -w <<<"$commands") commands, $options_checked options," \
     "$keys_checked config keys, $rendered pages rendered"
