#!/usr/bin/env bash
# The control plane's two numbers, on a real `pylon server`:
#   1. scale-from-zero latency: time to the first byte of a request to a service idled to zero
#      instances, median (and min/max) of RUNS tries, for examples/hello and examples/flask;
#   2. failed requests during a deploy under load: wrk drives examples/hello while a new
#      revision of it is deployed and takes the traffic.
# Prints a table and rewrites the daemon section of docs/benchmarks.md.
#
#   bench/daemon.sh                # 10 tries each, 20 s of load around the deploy
#   RUNS=5 LOAD=10s bench/daemon.sh
# Offline over Debian's packages: needs /usr/bin/python3 with Flask and gunicorn, and wrk.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
RUNS="${RUNS:-10}"
LOAD="${LOAD:-20s}"
PORT="${PORT:-18200}"
ADMIN_PORT="${ADMIN_PORT:-18201}"
GRACE="${GRACE:-2s}"  # scale-to-zero grace after the stable window (Knative's default is 30 s)
WINDOW="${WINDOW:-6s}"  # stable window (Knative's 60 s; its minimum, 6 s, keeps this short)
state="$(mktemp -d)"
export PIP_NO_INDEX=1
pids=()
cleanup() {
  # TERM, not INT: a job started with & in a script ignores SIGINT, and the JVM keeps it so
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }

./pylon --version >/dev/null  # builds the jar first if needed
./pylon server --port "$PORT" --admin-port "$ADMIN_PORT" --state-dir "$state" \
  --stable-window "$WINDOW" --scale-to-zero-grace "$GRACE" >"$state/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$ADMIN_PORT") 2>/dev/null && break
  sleep 0.1
done
pylon() { ./pylon "$@" --state-dir "$state"; }

ready_instances() {  # service -> ready instance count
  pylon instances --json | /usr/bin/python3 -c '
import json, sys
doc = json.load(sys.stdin)
rows = doc if isinstance(doc, list) else doc.get("instances", [])
print(sum(1 for r in rows
          if r.get("revision", "").startswith(sys.argv[1] + "-") and r.get("state") == "ready"))' "$1"
}

wait_for_zero() {  # service
  for _ in $(seq 1 600); do
    [ "$(ready_instances "$1")" = 0 ] && return 0
    sleep 0.2
  done
  echo "bench: $1 never scaled to zero" >&2; exit 1
}

cold_start() {  # example -> prints "median min max" in ms
  local example="$1" host="$1.localhost" times=()
  pylon deploy "examples/$example" --python /usr/bin/python3 --system-site-packages >/dev/null
  pylon scale "$example" --min 0 >/dev/null
  for _ in $(seq 1 "$RUNS"); do
    wait_for_zero "$example"
    sleep 1  # the instance's processes are gone, not just unrouted
    t=$(curl -s -o /dev/null -w '%{http_code} %{time_starttransfer}' -H "Host: $host" \
      "http://127.0.0.1:$PORT/")
    [ "${t%% *}" = 200 ] || { echo "bench: $example answered ${t%% *} from zero" >&2; exit 1; }
    times+=("$(awk -v s="${t##* }" 'BEGIN { printf "%.0f", s * 1000 }')")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.0f %d %d\n", m, v[1], v[NR] }'
}

echo "== scale from zero: examples/hello ($RUNS tries)" >&2
read -r hello_med hello_min hello_max < <(cold_start hello)
echo "== scale from zero: examples/flask ($RUNS tries)" >&2
read -r flask_med flask_min flask_max < <(cold_start flask)

echo "== deploy under load: wrk $LOAD on hello while a new revision deploys" >&2
pylon scale hello --min 1 >/dev/null
for _ in $(seq 1 300); do [ "$(ready_instances hello)" -ge 1 ] && break; sleep 0.2; done
wrk -t1 -c16 -d"$LOAD" -H "Host: hello.localhost" "http://127.0.0.1:$PORT/" >"$state/wrk.txt" &
wrk_pid=$!
sleep 3
before=$(pylon revisions hello --json | grep -o '"hello-[0-9]*-[a-z0-9]*"' | sort -u | wc -l)
pylon deploy examples/hello --python /usr/bin/python3 \
  --system-site-packages >/dev/null
after=$(pylon revisions hello --json | grep -o '"hello-[0-9]*-[a-z0-9]*"' | sort -u | wc -l)
wait "$wrk_pid"
requests=$(awk '/requests in/ { print $1 }' "$state/wrk.txt")
non2xx=$(awk '/Non-2xx/ { print $NF }' "$state/wrk.txt")
socket=$(grep -o 'Socket errors:.*' "$state/wrk.txt" || true)
failed=$(( ${non2xx:-0} ))
if [ -n "$socket" ]; then
  failed=$(( failed + $(echo "$socket" | grep -o '[0-9]\+' | awk '{ s += $1 } END { print s }') ))
fi

table=$(cat <<TABLE
| measurement | result |
|---|---|
| scale from zero, examples/hello (built-in worker): first byte | median ${hello_med} ms (min ${hello_min}, max ${hello_max}; $RUNS tries) |
| scale from zero, examples/flask (gunicorn): first byte | median ${flask_med} ms (min ${flask_min}, max ${flask_max}; $RUNS tries) |
| deploy under load (wrk -c16 $LOAD on hello, revisions $before -> $after) | $failed failed of $requests requests |
TABLE
)
echo "$table"

setup="$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(./pylon --version | head -1); pylon server --stable-window $WINDOW --scale-to-zero-grace $GRACE; Debian's Python 3.11.2 with --system-site-packages"
/usr/bin/python3 - "$root/docs/benchmarks.md" "$table" "$setup" <<'PY'
import re, sys
path, table, setup = sys.argv[1:]
section = ("<!-- daemon:begin -->\n" + "Measured by `bench/daemon.sh` (" + setup + "):\n\n"
           + table + "\n<!-- daemon:end -->")
text = open(path).read()
if "<!-- daemon:begin -->" in text:
    text = re.sub(r"<!-- daemon:begin -->.*<!-- daemon:end -->", lambda _: section, text, flags=re.S)
else:
    text += "\n## The control plane: scale from zero, deploy under load\n\n" + section + "\n"
open(path, "w").write(text)
PY
