#!/usr/bin/env bash
# Side-by-side benchmark, one run, same machine, same Python workers:
#   gunicorn direct | nginx -> gunicorn | haproxy -> gunicorn | Pylon -> gunicorn
#   uvicorn direct  | Pylon -> uvicorn
#   gunicorn direct, one process | Pylon's built-in worker direct, one process |
#   `pylon run` (router + built-in worker, default instances, the launcher's own JVM flags)
# for a hello-world body and a 64 KiB body, with keep-alive and with a new connection per
# request; and hello-sync: the same proxies in front of gunicorn's sync worker (`-w 2`, the App
# Engine samples' server), which closes every connection, so each request opens a new upstream
# connection (nginx there with worker_processes 1, as on a one-core instance). Prints
# requests/s and p50/p99 latency with the ratio against nginx, and writes
# docs/benchmarks.md and docs/benchmarks.svg.
#
#   bench/run.sh                  # 3 rounds of 6 s per measurement, each after a 3 s warm-up
#   ROUNDS=1 DURATION=10s WARMUP=5s bench/run.sh
#   ONLY=hello-keepalive bench/run.sh
#   WARM_FIRST=30s               # load each server gets once before any measurement (JIT)
#   SERVERS="gunicorn pylon-run" # measure only these rows
# Needs: wrk nginx haproxy, and Debian's gunicorn and uvicorn for /usr/bin/python3.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

DURATION="${DURATION:-6s}"
WARMUP="${WARMUP:-3s}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-32}"
WRK_THREADS="${WRK_THREADS:-1}"
WORKERS="${WORKERS:-2}"
THREADS="${THREADS:-8}"
PYTHON="${PYTHON:-/usr/bin/python3}"
ONLY="${ONLY:-}"
SERVERS="${SERVERS:-}"
out="${OUT:-$root/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"

for tool in wrk nginx haproxy; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done
"$PYTHON" -c "import gunicorn, uvicorn" 2>/dev/null ||
  { echo "bench: $PYTHON lacks gunicorn/uvicorn (apt-get install gunicorn python3-uvicorn)" >&2; exit 1; }

./pylon --version >/dev/null  # builds the jar first if needed, outside the measurements
JAVA_HOME="$(scripts/find-jdk)"

GUNICORN_PORT=18001 NGINX_PORT=18002 HAPROXY_PORT=18003 PYLON_PORT=18004
UVICORN_PORT=18011 PYLON_UVICORN_PORT=18014
SYNC_PORT=18031 NGINX_SYNC_PORT=18032 HAPROXY_SYNC_PORT=18033 PYLON_SYNC_PORT=18034
GUNICORN1_PORT=18021 PYLON_WORKER_PORT=18022 PYLON_RUN_PORT=18023
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$out/nginx.pid" ] && kill "$(cat "$out/nginx.pid")" 2>/dev/null || true
  [ -f "$out/nginx-sync.pid" ] && kill "$(cat "$out/nginx-sync.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: nothing listens on port $1" >&2; exit 1
}

cd bench/apps
"$PYTHON" -m gunicorn --bind "127.0.0.1:$GUNICORN_PORT" --workers "$WORKERS" --threads "$THREADS" \
  --timeout 0 --log-level warning wsgi_app:app &
pids+=($!)
"$PYTHON" -m gunicorn --bind "127.0.0.1:$SYNC_PORT" --workers "$WORKERS" --log-level warning wsgi_app:app &
pids+=($!)
"$PYTHON" -m uvicorn asgi_app:app --host 127.0.0.1 --port "$UVICORN_PORT" --workers "$WORKERS" \
  --log-level warning --no-access-log &
pids+=($!)
# One process each: gunicorn's gthread worker against Pylon's built-in worker, same threads.
"$PYTHON" -m gunicorn --bind "127.0.0.1:$GUNICORN1_PORT" --workers 1 --threads "$THREADS" \
  --timeout 0 --log-level warning wsgi_app:app &
pids+=($!)
"$PYTHON" "$root/src/main/resources/dev/pylon/runtime/pylon_worker.py" --app wsgi_app:app \
  --host 127.0.0.1 --port "$PYLON_WORKER_PORT" --threads "$THREADS" 2>"$out/pylon-worker.log" &
pids+=($!)
cd "$root"

cat >"$out/nginx.conf" <<NGINX
worker_processes auto;
pid $out/nginx.pid;
error_log $out/nginx.error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  upstream gunicorn { server 127.0.0.1:$GUNICORN_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://gunicorn;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
NGINX
nginx -c "$out/nginx.conf" -p "$out" -g 'daemon on;'
sed -e 's/^worker_processes auto;/worker_processes 1;/' -e "s#$out/nginx.pid#$out/nginx-sync.pid#" \
  -e "s/:$GUNICORN_PORT;/:$SYNC_PORT;/" -e "s/:$NGINX_PORT;/:$NGINX_SYNC_PORT;/" \
  "$out/nginx.conf" >"$out/nginx-sync.conf"
nginx -c "$out/nginx-sync.conf" -p "$out" -g 'daemon on;'

cat >"$out/haproxy.cfg" <<HAPROXY
global
  nbthread 2
defaults
  mode http
  option forwardfor
  http-reuse always
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend web
  bind 127.0.0.1:$HAPROXY_PORT
  default_backend gunicorn
backend gunicorn
  server g1 127.0.0.1:$GUNICORN_PORT
HAPROXY
haproxy -f "$out/haproxy.cfg" -q &
pids+=($!)
sed -e "s/:$GUNICORN_PORT\$/:$SYNC_PORT/" -e "s/:$HAPROXY_PORT\$/:$HAPROXY_SYNC_PORT/" \
  "$out/haproxy.cfg" >"$out/haproxy-sync.cfg"
haproxy -f "$out/haproxy-sync.cfg" -q &
pids+=($!)

# Pylon's router alone in front of the same workers (`pylon proxy`), with the launcher's own JVM
# flags: a figure taken with hand-tuned flags says nothing of what a user gets.
if [ -n "${PYLON_JAVA_OPTS:-}" ]; then
  echo "bench: PYLON_JAVA_OPTS is set ($PYLON_JAVA_OPTS); unset it to measure the launcher's defaults" >&2
fi
./pylon proxy --port "$PYLON_PORT" --to "127.0.0.1:$GUNICORN_PORT" >"$out/pylon-gunicorn.log" 2>&1 &
pids+=($!)
./pylon proxy --port "$PYLON_UVICORN_PORT" --to "127.0.0.1:$UVICORN_PORT" >"$out/pylon-uvicorn.log" 2>&1 &
pids+=($!)
./pylon proxy --port "$PYLON_SYNC_PORT" --to "127.0.0.1:$SYNC_PORT" >"$out/pylon-sync.log" 2>&1 &
pids+=($!)

# The same app served the way a user runs it: router + built-in worker, default instances, and
# the launcher's own JVM flags (no PYLON_JAVA_OPTS).
env -u PYLON_JAVA_OPTS ./pylon run bench/apps --app wsgi_app:app --python "$PYTHON" \
  --port "$PYLON_RUN_PORT" --state-dir "$out/pylon-run-state" >"$out/pylon-run.log" 2>&1 &
pids+=($!)

servers=(gunicorn:$GUNICORN_PORT nginx-gunicorn:$NGINX_PORT haproxy-gunicorn:$HAPROXY_PORT
  pylon-gunicorn:$PYLON_PORT uvicorn:$UVICORN_PORT pylon-uvicorn:$PYLON_UVICORN_PORT
  gunicorn-1:$GUNICORN1_PORT pylon-worker:$PYLON_WORKER_PORT pylon-run:$PYLON_RUN_PORT
  gunicorn:$SYNC_PORT nginx-gunicorn:$NGINX_SYNC_PORT haproxy-gunicorn:$HAPROXY_SYNC_PORT
  pylon-gunicorn:$PYLON_SYNC_PORT)
wanted() { [ -z "$SERVERS" ] || [[ " $SERVERS " == *" $1 "* ]]; }
for server in "${servers[@]}"; do
  wait_port "${server#*:}"
done

# Warm every server up once on both bodies before any measurement. The per-measurement warm-up
# below is too short for a JVM: HotSpot's C2 compiler is still compiling the request path ~10 s
# into the first load, and on 2 shared cores its compiler threads take CPU from the very Python
# workers being measured (Pylon used ~3x its steady CPU per request in the first 6 s of load).
# A server in production runs warm; this measures that, and treats every server the same.
# In interleaved rounds Pylon went from 0.94x nginx's hello keep-alive rate in a first round 6 s
# into its life to 1.3-1.5x in the rounds after; hence WARM_FIRST (20 s) per server, once.
WARM_FIRST="${WARM_FIRST:-20s}"
echo "== warming every server up ($WARM_FIRST on / and $WARMUP on /64k each)" >&2
for server in "${servers[@]}"; do
  wanted "${server%%:*}" || continue
  port="${server#*:}"
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARM_FIRST" "http://127.0.0.1:$port/" >/dev/null
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$port/64k" >/dev/null
done

measure() {  # round name port path mode
  local round="$1" name="$2" port="$3" path="$4" mode="$5" extra=()
  local scenario="64k-$mode"
  [ "$path" = "/" ] && scenario="hello-$mode"
  if [ -n "$ONLY" ] && [ "$ONLY" != "$scenario" ]; then return 0; fi
  wanted "$name" || return 0
  [ "$mode" = "close" ] && extra=(-H "Connection: close")
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${extra[@]}" "http://127.0.0.1:$port$path" >/dev/null
  echo "== round $round: $name $scenario" >&2
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${extra[@]}" \
    "http://127.0.0.1:$port$path" >"$out/$scenario.$name.run$round.txt"
  grep -E "Requests/sec|Non-2xx|Socket errors" "$out/$scenario.$name.run$round.txt" >&2 || true
}

# ROUNDS passes over every cell, each pass visiting every server in turn, so a noisy spell on
# this small machine (2 cores shared by wrk, the proxy and the workers) touches every server
# alike; report.py keeps the median of each figure per cell. Single runs swing by 10-40 %:
# gunicorn's two workers take connections as they race to accept, and an uneven split halves
# what one run measures.
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  for path in / /64k; do
    for mode in keepalive close; do
      measure "$round" gunicorn $GUNICORN_PORT $path $mode
      measure "$round" nginx-gunicorn $NGINX_PORT $path $mode
      measure "$round" haproxy-gunicorn $HAPROXY_PORT $path $mode
      measure "$round" pylon-gunicorn $PYLON_PORT $path $mode
      measure "$round" uvicorn $UVICORN_PORT $path $mode
      measure "$round" pylon-uvicorn $PYLON_UVICORN_PORT $path $mode
      measure "$round" gunicorn-1 $GUNICORN1_PORT $path $mode
      measure "$round" pylon-worker $PYLON_WORKER_PORT $path $mode
      measure "$round" pylon-run $PYLON_RUN_PORT $path $mode
    done
  done
  measure "$round" gunicorn $SYNC_PORT / sync
  measure "$round" nginx-gunicorn $NGINX_SYNC_PORT / sync
  measure "$round" haproxy-gunicorn $HAPROXY_SYNC_PORT / sync
  measure "$round" pylon-gunicorn $PYLON_SYNC_PORT / sync
done

cat >"$out/setup.txt" <<SETUP
date: $(date -u +%Y-%m-%dT%H:%MZ), load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)
machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)
wrk: -t$WRK_THREADS -c$CONNECTIONS -d$DURATION after a $WARMUP warm-up, loopback; median of $ROUNDS interleaved rounds
gunicorn: $("$PYTHON" -m gunicorn --version 2>&1 | head -1), --workers $WORKERS --threads $THREADS (gthread); gunicorn-1: --workers 1 --threads $THREADS
pylon-worker: Pylon's built-in WSGI worker, one process, --threads $THREADS; pylon-run: \`pylon run\` (router + built-in worker), default instances ($(nproc)), no PYLON_JAVA_OPTS
hello-sync: gunicorn --workers $WORKERS (sync: closes every connection); nginx worker_processes 1 there
uvicorn: $("$PYTHON" -m uvicorn --version 2>&1 | head -1), --workers $WORKERS
nginx: $(nginx -v 2>&1 | sed 's/.*: //'), worker_processes auto, upstream keepalive 64
haproxy: $(haproxy -v 2>&1 | head -1 | awk '{print $3}'), nbthread 2, http-reuse always
pylon: $(./pylon --version | head -1), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), PYLON_JAVA_OPTS=${PYLON_JAVA_OPTS:-unset (the launcher defaults)}
SETUP
python3 bench/report.py "$out" "$root/docs"
