#!/usr/bin/env bash
# CLI start: `pylon --version`, `pylon inspect`, a cold `pylon build` (new state folder) and a
# code-only rebuild (one line of main.py changed), for this checkout against another one (BASE,
# a checkout with its jar built: the "before"). hyperfine, interleaved: ROUNDS rounds of RUNS runs
# of each command, median of the rounds' medians. Offline over Debian's packages, as bench/build.sh.
#   bench/cli.sh BASE_ROOT [ROUNDS] [RUNS]
# Prints a markdown table, with `uptime` before and after (the machine is shared).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
base="$(cd "${1:?usage: bench/cli.sh BASE_ROOT [ROUNDS] [RUNS]}" && pwd)"
rounds="${2:-3}" runs="${3:-5}"
export PIP_NO_INDEX=1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/pylon" --version >/dev/null
"$base/pylon" --version >/dev/null
sleep 1
while pgrep -f "pylon.startup.training" >/dev/null; do sleep 1; done # the new cache is made

for side in base new; do
  cp -r "$root/examples/flask" "$work/app-$side"
done
flags="--python /usr/bin/python3 --system-site-packages"
declare -A cmd=(
  [version]="pylon --version"
  [inspect]="pylon inspect APP --python /usr/bin/python3 --state-dir STATE"
  [cold]="pylon build APP $flags --state-dir STATE-cold"
  [code]="pylon build APP $flags --state-dir STATE"
)
declare -A prep=(
  [version]=":"
  [inspect]=":"
  [cold]="rm -rf STATE-cold"
  [code]="echo '# changed' \$(date +%s%N) >>APP/main.py"
)
echo "load before: $(uptime)"
for side in base new; do # warm the state folders: virtualenvs and probe answers exist
  dir="$root"; [ "$side" = base ] && dir="$base"
  "$dir/pylon" build "$work/app-$side" $flags --state-dir "$work/state-$side" >/dev/null
done
for round in $(seq "$rounds"); do
  for what in version inspect cold code; do
    args=()
    for side in base new; do
      dir="$root"; [ "$side" = base ] && dir="$base"
      c="${cmd[$what]//pylon/$dir/pylon}"; c="${c//APP/$work/app-$side}"; c="${c//STATE/$work/state-$side}"
      p="${prep[$what]//APP/$work/app-$side}"; p="${p//STATE/$work/state-$side}"
      args+=(--prepare "$p" -n "$what-$side" "$c")
    done
   
      hyperfine -w 1 -r "$runs" --export-json "$work/$what-$round.json" "${args[@]}" >/dev/null
  done
done
echo "load after: $(uptime)"
python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
rows = {}
for what in ("version", "inspect", "cold", "code"):
    for r in range(1, rounds + 1):
        for res in json.load(open(f"{work}/{what}-{r}.json"))["results"]:
            side = res["command"].rsplit("-", 1)[1]
            rows.setdefault(what, {}).setdefault(side, {"wall": [], "cpu": []})
            rows[what][side]["wall"].append(res["median"])
            rows[what][side]["cpu"].append(res["user"] + res["system"])
med = lambda xs: statistics.median(xs)
print("| command | before wall s | after wall s | after/before | before CPU s | after CPU s |")
print("|---|---:|---:|---:|---:|---:|")
names = {"version": "`pylon --version`", "inspect": "`pylon inspect examples/flask`",
         "cold": "cold `pylon build` (new state folder)", "code": "code-only `pylon build`"}
for what, sides in rows.items():
    b, a = med(sides["base"]["wall"]), med(sides["new"]["wall"])
    print(f"| {names[what]} | {b:.2f} | {a:.2f} | {a / b:.2f} | {med(sides['base']['cpu']):.2f} | {med(sides['new']['cpu']):.2f} |")
for side, label in (("base", "before"), ("new", "after")):
    c, k = med(rows["code"][side]["wall"]), med(rows["cold"][side]["wall"])
    print(f"\ncode-only / cold, {label}: {c / k:.2f}", end="")
print()
PY
