#!/usr/bin/env bash
# Faults under load, measured: wrk drives a real Pylon on loopback while something breaks, and
# each scenario reports requests sent, responses by status, socket errors and p99.
#
#   pylon run (2 instances of bench/apps/chaos, built-in worker, --memory 256Mi):
#     kill9      kill -9 a random instance every 5 s
#     sigstop    SIGSTOP one instance for 10 s (a hung instance), then SIGCONT
#     memory     an instance allocates past its memory limit (GET /hog), every 10 s
#     slowloris  slowhttptest's slowloris and slow-read against the router (if installed)
#   pylon server (the daemon, same app deployed, min 2 instances, memory_gb 0.25 in app.yaml):
#     the same four scenarios, then
#     restart    the daemon restarted twice: a new `pylon server --takeover` takes the running
#                one's sockets and instances over, and the old one drains and exits
#
#   bench/chaos.sh                      # 60 s per scenario
#   DURATION=20 ONLY=kill9 bench/chaos.sh
#   KEEP_STATE=1 ONLY=restart bench/chaos.sh   # keep the state directory (server.log, wrk output)
# Loopback only; every loop is bounded in time. Prints a table; a run of every scenario (no ONLY)
# rewrites the chaos section of docs/benchmarks.md.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
DURATION="${DURATION:-60}"
ONLY="${ONLY:-}"
PORT="${PORT:-18300}"
ADMIN_PORT="${ADMIN_PORT:-18301}"
state="$(mktemp -d)"
app="$root/bench/apps/chaos"
pids=()
rows=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  pkill -CONT -f "$state/" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ -n "${KEEP_STATE:-}" ]; then
    echo "chaos: state kept in $state" >&2
  else
    rm -rf "$state"
  fi
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "chaos: wrk is missing (apt-get install wrk)" >&2; exit 1; }
./pylon --version >/dev/null # builds the jar first if needed

wanted() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

await_port() { # port
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "chaos: nothing listens on $1" >&2
  exit 1
}

instance_pids() { # the built-in workers this run's state directory started
  # not their shims (pylon server's per-instance supervisors, whose command line names the worker)
  for pid in $(pgrep -f "$1/lib/pylon_worker"); do
    grep -qa pylon_shim "/proc/$pid/cmdline" 2>/dev/null || echo "$pid"
  done
}

load() { # name host -> runs wrk for DURATION s in the background; sets wrk_pid, wrk_out
  wrk_out="$state/$1.wrk"
  wrk -t1 -c16 -d"${DURATION}s" --timeout 10s -s bench/status.lua -H "Host: $2" \
    "http://127.0.0.1:$PORT/" >"$wrk_out" 2>&1 &
  wrk_pid=$!
}

record() { # scenario target -> appends a table row from wrk_out
  wait "$wrk_pid" || true
  local requests status p99 errors
  requests=$(awk '/^REQUESTS/ { print $2 }' "$wrk_out")
  status=$(sed -n 's/^STATUS //p' "$wrk_out")
  p99=$(awk '/^P99_MS/ { print $2 }' "$wrk_out")
  errors=$(sed -n 's/^SOCKET_ERRORS //p' "$wrk_out")
  local failed
  failed=$(echo "$status" | tr ' ' '\n' | awk -F= '$1 !~ /^2/ && NF == 2 { s += $2 } END { print s + 0 }')
  failed=$((failed + $(echo "$errors" | tr ' ' '\n' | awk -F= '{ s += $2 } END { print s + 0 }')))
  rows+=("| $1 | $2 | ${requests:-0} | $failed | ${status:-none} | ${errors:-none} | ${p99:-?} |")
  echo "chaos: $1 ($2): ${requests:-0} requests, $failed failed (${status:-}; ${errors:-})" >&2
  sed -n 's/^BODY /chaos:   first body of a /p' "$wrk_out" >&2
}

faults() { # target host state-dir -> the fault scenarios under wrk load, one row each
  local target="$1" host="$2" dir="$3"
  if wanted kill9; then
    load kill9 "$host"
    end=$((SECONDS + DURATION - 2))
    while [ "$SECONDS" -lt "$end" ]; do
      sleep 5
      victim=$(instance_pids "$dir" | shuf -n 1)
      [ -n "$victim" ] && kill -9 "$victim" 2>/dev/null || true
    done
    record "kill -9 an instance every 5 s" "$target"
  fi

  if wanted sigstop; then
    load sigstop "$host"
    sleep 5
    victim=""
    for _ in $(seq 1 100); do # an instance may be restarting after the last scenario's faults
      victim=$(instance_pids "$dir" | shuf -n 1)
      [ -n "$victim" ] && break
      sleep 0.1
    done
    [ -n "$victim" ] || { echo "chaos: no instance to stop" >&2; exit 1; }
    kill -STOP "$victim"
    sleep 10
    kill -CONT "$victim" 2>/dev/null || true
    record "SIGSTOP one instance for 10 s" "$target"
  fi

  if wanted memory; then
    load memory "$host"
    end=$((SECONDS + DURATION - 2))
    while [ "$SECONDS" -lt "$end" ]; do
      sleep 10
      curl -s -o /dev/null --max-time 20 -H "Host: $host" "http://127.0.0.1:$PORT/hog" || true
    done
    record "an instance allocates past its 256 MiB memory limit every 10 s" "$target"
  fi

  if wanted slowloris && command -v slowhttptest >/dev/null; then
    load slowloris "$host"
    slowhttptest -H -c 500 -r 100 -i 10 -l "$((DURATION - 5))" -u "http://127.0.0.1:$PORT/" \
      >"$state/slowloris.txt" 2>&1 &
    slow_a=$!
    slowhttptest -X -c 200 -r 50 -w 10 -y 20 -n 5 -z 32 -k 3 -l "$((DURATION - 5))" \
      -u "http://127.0.0.1:$PORT/" >"$state/slowread.txt" 2>&1 &
    slow_b=$!
    record "slowloris (500 conns) + slow read (200 conns) against the router" "$target"
    kill "$slow_a" "$slow_b" 2>/dev/null || true
    wait "$slow_a" "$slow_b" 2>/dev/null || true
  fi
}

run_state="$state/run"
if wanted kill9 || wanted sigstop || wanted memory || wanted slowloris; then
  PIP_NO_INDEX=1 ./pylon run "$app" --python /usr/bin/python3 --instances 2 --memory 256Mi \
    --port "$PORT" --state-dir "$run_state" >"$state/run.log" 2>&1 &
  pids+=($!)
  await_port "$PORT"
  until curl -sf "http://127.0.0.1:$PORT/" >/dev/null; do sleep 0.2; done
  faults "pylon run" localhost "$run_state"
  kill -TERM "${pids[-1]}"
  wait "${pids[-1]}" 2>/dev/null || true
fi

if wanted kill9 || wanted sigstop || wanted memory || wanted slowloris; then
  # The same app under the daemon; app.yaml carries the memory limit `pylon run` took as a flag.
  faults_app="$state/chaos-app"
  cp -r "$app" "$faults_app"
  printf 'runtime: python\nresources:\n  memory_gb: 0.25\n' >"$faults_app/app.yaml"
  faults_state="$state/daemon-faults"
  ./pylon server --port "$PORT" --admin-port "$ADMIN_PORT" --state-dir "$faults_state" \
    >>"$state/server-faults.log" 2>&1 &
  pids+=($!)
  await_port "$ADMIN_PORT"
  PIP_NO_INDEX=1 ./pylon deploy "$faults_app" --service chaos --python /usr/bin/python3 \
    --state-dir "$faults_state" >/dev/null
  ./pylon scale chaos --min 2 --max 2 --state-dir "$faults_state" >/dev/null
  until curl -sf -H "Host: chaos.localhost" "http://127.0.0.1:$PORT/" >/dev/null; do sleep 0.2; done
  until [ "$(instance_pids "$faults_state" | wc -l)" -ge 2 ]; do sleep 0.2; done
  faults "pylon server" chaos.localhost "$faults_state"
  kill -TERM "${pids[-1]}"
  wait "${pids[-1]}" 2>/dev/null || true
fi

if wanted restart; then
  daemon_state="$state/daemon"
  start_daemon() { # [--takeover]
    ./pylon server "$@" --port "$PORT" --admin-port "$ADMIN_PORT" --state-dir "$daemon_state" \
      >>"$state/server.log" 2>&1 &
    daemon_pid=$!
    pids+=("$daemon_pid")
    await_port "$ADMIN_PORT"
  }
  start_daemon
  PIP_NO_INDEX=1 ./pylon deploy "$app" --service chaos --python /usr/bin/python3 \
    --state-dir "$daemon_state" >/dev/null
  ./pylon scale chaos --min 2 --max 2 --state-dir "$daemon_state" >/dev/null
  until curl -sf -H "Host: chaos.localhost" "http://127.0.0.1:$PORT/" >/dev/null; do sleep 0.2; done
  load restart chaos.localhost
  for _ in 1 2; do
    sleep "$((DURATION / 3))"
    old_pid="$daemon_pid"
    start_daemon --takeover
    wait "$old_pid" 2>/dev/null || true # it exits once the new one serves and it has drained
  done
  record "pylon server restarted twice (--takeover)" "pylon server"
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" 2>/dev/null || true
fi

table="| scenario | under | requests | failed | responses by status | socket errors | p99 ms |
|---|---|---:|---:|---|---|---:|"
for row in "${rows[@]}"; do table+=$'\n'"$row"; done
echo "$table"
if [ -n "$ONLY" ]; then
  exit 0 # a partial run does not replace the full table in docs/benchmarks.md
fi

setup="$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(./pylon --version | head -1); wrk -t1 -c16 for ${DURATION} s per scenario; bench/apps/chaos on the built-in worker, Debian's Python"
/usr/bin/python3 - "$root/docs/benchmarks.md" "$table" "$setup" <<'PY'
import re, sys
path, table, setup = sys.argv[1:]
section = ("<!-- chaos:begin -->\n" + "Measured by `bench/chaos.sh` (" + setup + "):\n\n"
           + table + "\n<!-- chaos:end -->")
text = open(path).read()
if "<!-- chaos:begin -->" in text:
    text = re.sub(r"<!-- chaos:begin -->.*<!-- chaos:end -->", lambda _: section, text, flags=re.S)
else:
    text += "\n## Faults under load (chaos)\n\n" + section + "\n"
open(path, "w").write(text)
PY
