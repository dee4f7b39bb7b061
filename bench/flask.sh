#!/usr/bin/env bash
# examples/flask through `pylon run` against the same gunicorn command run directly, in one
# run: wrk -t1 -c32 -d10s each, after a warm-up. The ratio is what matters.
#
#   bench/flask.sh                 # 1 instance vs gunicorn --workers 1 --threads 8
#   INSTANCES=2 bench/flask.sh     # 2 instances vs gunicorn --workers 2 --threads 8
# Offline over Debian's packages: needs /usr/bin/python3 with Flask and gunicorn, and wrk.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"
INSTANCES="${INSTANCES:-1}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-15s}"  # the JVM compiles the router in the first ~15 s
PYLON_PORT=18100 GUNICORN_PORT=18101
state="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: nothing listens on port $1" >&2; exit 1
}

PIP_NO_INDEX=1 ./pylon run examples/flask --port "$PYLON_PORT" --instances "$INSTANCES" \
  --python /usr/bin/python3 --system-site-packages --state-dir "$state" >"$state/pylon.log" 2>&1 &
pids+=($!)
(cd examples/flask && exec /usr/bin/python3 -m gunicorn --bind "127.0.0.1:$GUNICORN_PORT" \
  --workers "$INSTANCES" --threads 8 --timeout 0 --log-level warning main:app) &
pids+=($!)
wait_port "$GUNICORN_PORT"
for _ in $(seq 1 300); do grep -q "Serving at" "$state/pylon.log" && break; sleep 0.1; done

for target in "gunicorn:$GUNICORN_PORT" "pylon:$PYLON_PORT"; do
  name="${target%%:*}" port="${target##*:}"
  wrk -t1 -c32 -d"$WARMUP" "http://127.0.0.1:$port/" >/dev/null
  rps=$(wrk -t1 -c32 -d"$DURATION" --latency "http://127.0.0.1:$port/" | tee "$state/$name.txt" |
    awk '/Requests\/sec/ {print $2}')
  p99=$(awk '$1=="99%" {print $2}' "$state/$name.txt")
  errors=$(grep -E "Non-2xx|Socket errors" "$state/$name.txt" | tr '\n' ' ' || true)
  printf '%-9s %10s req/s   p99 %8s   %s\n' "$name" "$rps" "$p99" "$errors"
  eval "rps_$name=$rps"
done
awk -v p="$rps_pylon" -v g="$rps_gunicorn" 'BEGIN { printf "pylon / gunicorn direct = %.2f\n", p / g }'
