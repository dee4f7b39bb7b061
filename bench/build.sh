#!/usr/bin/env bash
# Build times with the dependency cache, for examples/flask and examples/django:
#   cold         a new state directory: virtualenv, snapshot, bytecode
#   code change  one line of the app changed: the virtualenv comes from the cache
#   new dep      a dependency added to requirements.txt: a new virtualenv beside the old
#   unchanged    the same source again: everything from the cache
# Each row: Pylon's own total (from `pylon build --json`) and the wall time of the command
# (JVM start included). Offline over Debian's packages (PIP_NO_INDEX=1, system site-packages).
# Writes the table into docs/benchmarks.md between <!-- build:begin --> and <!-- build:end -->.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
./pylon --version >/dev/null
export PIP_NO_INDEX=1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

build() {  # app-dir state-dir -> "total_ms wall_ms"
  local start end json
  start=$(date +%s%N)
  json=$(./pylon build "$1" --json --python /usr/bin/python3 --system-site-packages --state-dir "$2")
  end=$(date +%s%N)
  echo "$(echo "$json" | sed -n 's/.*"totalMillis" : \([0-9]*\).*/\1/p') $(((end - start) / 1000000))"
}

rows=()
for example in flask django; do
  app="$work/$example"
  cp -r "examples/$example" "$app"
  state="$work/state-$example"
  read -r cold_total cold_wall < <(build "$app" "$state")
  main_file="$app/main.py"; [ "$example" = django ] && main_file="$app/mysite/urls.py"
  echo "# changed $(date +%s%N)" >>"$main_file"
  read -r code_total code_wall < <(build "$app" "$state")
  echo "MarkupSafe" >>"$app/requirements.txt"
  read -r dep_total dep_wall < <(build "$app" "$state")
  read -r same_total same_wall < <(build "$app" "$state")
  rows+=("| $example | $cold_total ($cold_wall) | $code_total ($code_wall) | $dep_total ($dep_wall) | $same_total ($same_wall) | $(awk -v c="$code_total" -v k="$cold_total" 'BEGIN { printf "%.1f %%", 100 * c / k }') |")
done

table="| example | cold ms (wall) | code change ms (wall) | new dependency ms (wall) | unchanged ms (wall) | code change / cold |
|---|---:|---:|---:|---:|---:|
$(printf '%s\n' "${rows[@]}")"
echo "$table"

section="<!-- build:begin -->
## Builds with the dependency cache (bench/build.sh)

$(date -u +%Y-%m-%d), $(nproc) cores, offline over Debian's packages (\`PIP_NO_INDEX=1\`,
\`--system-site-packages\`, /usr/bin/python3). Milliseconds of Pylon's own build, and in
parentheses the whole command including the JVM's start.

$table
<!-- build:end -->"
page=docs/benchmarks.md
[ -f "$page" ] || echo "# Benchmarks" >"$page"
python3 - "$page" "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2]
text = open(path).read()
if "<!-- build:begin -->" in text:
    text = re.sub(r"<!-- build:begin -->.*<!-- build:end -->", lambda _: section, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
