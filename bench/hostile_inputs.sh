#!/usr/bin/env bash
# Time and peak memory of one gleaner binary (or two, to compare) on crafted hostile
# inputs: attribute bombs and over-long URLs in 1 MB pages (`gleaner extract`), and 1 MiB
# site files built to blow up a YAML parser (`gleaner check`).
#
#   bash bench/hostile_inputs.sh build/gleaner [OTHER_GLEANER]
#
# Prints one line per input and binary: seconds, peak RSS (GNU time's %M) and exit status.
# Each run is cut after 180 s (shown as "killed"). The targets: under 1 s and 64 MB for a
# 1 MB page, under 64 MB for a 1 MiB site file. Nothing touches the network.
set -uo pipefail
export LC_ALL=C

if [ $# -lt 1 ]; then
  echo "usage: bash bench/hostile_inputs.sh GLEANER [OTHER_GLEANER]" >&2
  exit 2
fi
for binary in "$@"; do
  [ -x "$binary" ] || { echo "hostile_inputs: $binary is not an executable" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "hostile_inputs: needs GNU time (Debian package time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sites"
printf 'log_level: error\n' >"$work/gleaner.yaml"

python3 - "$work" <<'EOF'
import sys
work = sys.argv[1]
MB = 1 << 20

# Each page holds a real article after the hostile part, so extraction runs to its end.
ARTICLE = "<article><h1>Un titre d'article</h1>" + "".join(
    f"<p>Paragraphe {i} d'un article ordinaire, assez long pour compter comme du texte suivi, "
    "avec des phrases completes et quelques virgules, comme en ecrit un journal.</p>" for i in range(8)) + "</article>"

def page(name, body):
    with open(f"{work}/{name}.html", "w") as f:
        f.write("<html><head><title>t</title></head><body>" + body + ARTICLE + "</body></html>")

def attrs(n, start=0):
    return " ".join(f"a{i}=x" for i in range(start, start + n))

# One tag holding the whole megabyte of attributes.
page("attr-one-tag", "<div " + attrs(MB // 8) + "><p>text</p></div>")
# Many tags of 1,000 attributes each, then many of exactly the per-element cap (128).
for per_tag in (1000, 128):
    tag = "<p " + attrs(per_tag) + ">x</p>"
    page(f"attr-tags-of-{per_tag}", tag * (MB // len(tag)))
# Links and a canonical of 64 KB URLs, then one link of a whole megabyte.
long = "https://news.example/" + "a" * (64 << 10)
page("long-urls", f'<link rel=canonical href="{long}">' + "".join(
    f'<a href="{long}{i}">more</a><p>text {i}</p>' for i in range(MB // len(long))))
page("one-1mb-url", '<a href="https://news.example/' + "b" * MB + '">x</a><p>text</p>')

# Site files of 1 MiB (the cap on a site file).
def site(name, text):
    with open(f"{work}/site-{name}.yaml", "w") as f:
        f.write(text[:MB])

head = "id: bomb\nname: bomb\nlanguage: fr\nurls: ['^https://news\\.example/']\nlayouts:\n  - body: p\n"
# Half the file anchors one long example URL, the other half names it again and again: a
# loader that copies what an alias points to copies half a megabyte per line.
anchor = "examples:\n  - &a 'https://news.example/" + "a" * (MB // 2) + "'\n"
site("aliases", head + anchor + "  - *a\n" * ((MB - len(head) - len(anchor)) // 7))
site("nesting", head + "examples: " + "[" * (MB - len(head) - 4) + "\n")
site("flat-list", head + "examples: [" + "x," * ((MB - len(head) - 16) // 2) + "x]\n")
EOF

measure() {  # label binary args...
  local label=$1 binary=$2
  shift 2
  timeout -s KILL 180 /usr/bin/time -q -f '%e %M' -o "$work/time" "$binary" "$@" >/dev/null 2>&1
  local status=$?
  if [ "$status" -eq 137 ]; then
    printf '%-22s %-32s killed after 180 s\n' "$label" "$binary"
    return
  fi
  local secs kb
  read -r secs kb <"$work/time"
  awk -v l="$label" -v b="$binary" -v s="$secs" -v k="$kb" -v x="$status" \
    'BEGIN { printf "%-22s %-32s %7.2f s %8.1f MB  exit %s\n", l, b, s, k / 1024, x }'
}

for input in attr-one-tag attr-tags-of-1000 attr-tags-of-128 long-urls one-1mb-url; do
  for binary in "$@"; do
    measure "$input" "$binary" extract --config "$work/gleaner.yaml" --sites "$work/sites" \
      --url https://news.example/a/1 "$work/$input.html"
  done
done
for input in aliases nesting flat-list; do
  rm -f "$work"/sites/*
  cp "$work/site-$input.yaml" "$work/sites/bomb.yaml"
  for binary in "$@"; do
    measure "site-$input" "$binary" check --config "$work/gleaner.yaml" --sites "$work/sites"
  done
done
