#!/usr/bin/env bash
# The control plane's two numbers, on a real `pylon server`:
#   1. scale-from-zero latency: time to the first byte of a request to a service idled to zero
#      instances, median (and min/max) of RUNS tries, for examples/hello, Flask under the built-in
#      worker and examples/flask (gunicorn), each cold (--zygote-idle 0) and forked from the
#      revision's zygote, interleaved;
#   2. failed requests during a deploy under load: wrk drives examples/hello while a new
#      revision of it is deployed and takes the traffic.
# Prints a table and rewrites the daemon section of docs/benchmarks.md (not with ZERO_ONLY=1).
#
#   bench/daemon.sh                # 10 tries each, 20 s of load around the deploy
#   RUNS=5 LOAD=10s bench/daemon.sh
#   RUNS=3 ZERO_ONLY=1 bench/daemon.sh   # only the scale-from-zero rows, printed
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
# Two daemons, the same flags but one: --zygote-idle 0 makes every start cold; the other keeps
# each revision's zygote (the default), so a scale from zero forks from it.
start_server() {  # name port admin-port extra-flags...
  local name="$1" port="$2" admin="$3"; shift 3
  mkdir -p "$state/$name"
  ./pylon server --port "$port" --admin-port "$admin" --state-dir "$state/$name" \
    --stable-window "$WINDOW" --scale-to-zero-grace "$GRACE" "$@" >"$state/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$admin") 2>/dev/null && break
    sleep 0.1
  done
}
start_server cold "$PORT" "$ADMIN_PORT" --zygote-idle 0
start_server zygote "$((PORT + 2))" "$((ADMIN_PORT + 2))"
pylon_at() { local name="$1"; shift; ./pylon "$@" --state-dir "$state/$name"; }
pylon() { pylon_at zygote "$@"; }
port_of() { [ "$1" = cold ] && echo "$PORT" || echo "$((PORT + 2))"; }

ready_instances() {  # daemon service -> ready instance count
  pylon_at "$1" instances --json | /usr/bin/python3 -c '
import json, sys
doc = json.load(sys.stdin)
rows = doc if isinstance(doc, list) else doc.get("instances", [])
print(sum(1 for r in rows
          if r.get("revision", "").startswith(sys.argv[1] + "-") and r.get("state") == "ready"))' "$2"
}

wait_for_zero() {  # daemon service
  for _ in $(seq 1 600); do
    [ "$(ready_instances "$1" "$2")" = 0 ] && return 0
    sleep 0.2
  done
  echo "bench: $2 on the $1 daemon never scaled to zero" >&2; exit 1
}

# service folder: hello is served by the built-in worker (no server listed), flask-builtin is
# Flask without gunicorn (the built-in worker), flask lists gunicorn (gunicorn serves it).
apps=("hello examples/hello" "flask-builtin bench/apps/flask_builtin" "flask examples/flask")
for daemon in cold zygote; do
  for app in "${apps[@]}"; do
    read -r service folder <<<"$app"
    pylon_at "$daemon" deploy "$folder" --service "$service" --python /usr/bin/python3 \
      --system-site-packages >/dev/null
    pylon_at "$daemon" scale "$service" --min 0 >/dev/null
  done
done

# Interleaved: each round waits until every service of both daemons is at zero, then wakes each
# once, cold and zygote in turn; the machine's load hits both the same way.
for round in $(seq 1 "$RUNS"); do
  echo "== scale from zero: round $round of $RUNS" >&2
  for daemon in cold zygote; do
    for app in "${apps[@]}"; do wait_for_zero "$daemon" "${app%% *}"; done
  done
  sleep 1  # the instances' processes are gone, not just unrouted
  for app in "${apps[@]}"; do
    service="${app%% *}"
    for daemon in cold zygote; do
      t=$(curl -s -o /dev/null -w '%{http_code} %{time_starttransfer}' \
        -H "Host: $service.localhost" "http://127.0.0.1:$(port_of "$daemon")/")
      [ "${t%% *}" = 200 ] || { echo "bench: $service ($daemon) answered ${t%% *} from zero" >&2; exit 1; }
      echo "$service $daemon $(awk -v s="${t##* }" 'BEGIN { printf "%.0f", s * 1000 }')" \
        >>"$state/zero.txt"
    done
  done
done
stats() {  # service daemon -> "median min max" in ms
  awk -v s="$1" -v d="$2" '$1 == s && $2 == d { print $3 }' "$state/zero.txt" | sort -n |
    awk '{ v[NR] = $1 } END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.0f %d %d\n", m, v[1], v[NR] }'
}
zero_rows=""
for app in "${apps[@]}"; do
  service="${app%% *}"
  case "$service" in
    hello) what="examples/hello (built-in worker)" ;;
    flask-builtin) what="Flask, no server listed (built-in worker)" ;;
    *) what="examples/flask (gunicorn)" ;;
  esac
  for daemon in cold zygote; do
    read -r med min max < <(stats "$service" "$daemon")
    zero_rows+="| scale from zero, $what, $daemon: first byte | median $med ms (min $min, max $max; $RUNS tries) |"$'\n'
  done
done
load_zero="$(uptime | sed 's/.*load average: //')"
if [ "${ZERO_ONLY:-0}" = 1 ]; then
  printf '%s(load %s)\n' "$zero_rows" "$load_zero"
  exit 0
fi

echo "== deploy under load: wrk $LOAD on hello while a new revision deploys" >&2
pylon scale hello --min 1 >/dev/null
for _ in $(seq 1 300); do [ "$(ready_instances zygote hello)" -ge 1 ] && break; sleep 0.2; done
wrk -t1 -c16 -d"$LOAD" -H "Host: hello.localhost" "http://127.0.0.1:$((PORT + 2))/" >"$state/wrk.txt" &
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
${zero_rows}| deploy under load (wrk -c16 $LOAD on hello, revisions $before -> $after) | $failed failed of $requests requests |
TABLE
)
echo "$table"

setup="$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(./pylon --version | head -1); pylon server --stable-window $WINDOW --scale-to-zero-grace $GRACE, cold: --zygote-idle 0; load average during the scale-from-zero rounds $load_zero; Debian's Python 3.11.2 with --system-site-packages"
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
