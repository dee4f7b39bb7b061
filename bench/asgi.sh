#!/usr/bin/env bash
# Pylon's built-in ASGI worker against uvicorn, one process each, the same bench/apps/asgi_app.py,
# interleaved rounds, with the fastest HTTP parser and event loop Debian ships for uvicorn
# (httptools + uvloop) and with the pure-Python defaults (h11 + asyncio) on both sides.
# Prints a Markdown table of medians and the ratio against uvicorn on the same loop.
#
#   bench/asgi.sh                         # 3 rounds of wrk -t1 -c32 -d5s after a 2 s warm-up
#   ROUNDS=5 DURATION=10s bench/asgi.sh
# Needs: wrk, and Debian's python3-uvicorn, python3-uvloop and python3-httptools.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

DURATION="${DURATION:-5s}"
WARMUP="${WARMUP:-2s}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-32}"
PYTHON="${PYTHON:-/usr/bin/python3}"
worker="$root/src/main/resources/dev/pylon/runtime/pylon_asgi_worker.py"

command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
"$PYTHON" -c "import uvicorn, uvloop, httptools" 2>/dev/null || {
  echo "bench: $PYTHON lacks uvicorn, uvloop or httptools" \
    "(apt-get install python3-uvicorn python3-uvloop python3-httptools)" >&2
  exit 1
}

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: nothing listens on port $1" >&2
  exit 1
}

# name port command...; the worker takes uvloop when it can import it, so the asyncio row hides it.
declare -A port_of
start() {
  local name=$1 port=$2
  shift 2
  (cd bench/apps && exec "$@") >/dev/null 2>&1 &
  pids+=($!)
  port_of[$name]=$port
}
start worker-uvloop 18041 "$PYTHON" "$worker" --app asgi_app:app --port 18041
start uvicorn-httptools-uvloop 18042 "$PYTHON" -m uvicorn asgi_app:app --port 18042 \
  --http httptools --loop uvloop --log-level warning --no-access-log
start worker-asyncio 18043 "$PYTHON" -c \
  "import sys, runpy; sys.modules['uvloop'] = None; sys.argv = ['worker'] + sys.argv[1:]; runpy.run_path('$worker', run_name='__main__')" \
  --app asgi_app:app --port 18043
start uvicorn-h11-asyncio 18044 "$PYTHON" -m uvicorn asgi_app:app --port 18044 \
  --http h11 --loop asyncio --log-level warning --no-access-log
order=(worker-uvloop uvicorn-httptools-uvloop worker-asyncio uvicorn-h11-asyncio)
for name in "${order[@]}"; do wait_port "${port_of[$name]}"; done

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A results
for path in / /64k; do
  for name in "${order[@]}"; do
    wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:${port_of[$name]}$path" >/dev/null
  done
  for round in $(seq 1 "$ROUNDS"); do
    for name in "${order[@]}"; do
      line=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:${port_of[$name]}$path" |
        awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} END {print rps, p99}')
      results[$path $name]+="$line;"
      echo "round $round $path $name: $line" >&2
    done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Median requests/s and the p99 of the median round; p99 normalised to ms.
median() {
  tr ';' '\n' <<<"$1" | sed '/^$/d' | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    { rps[NR] = $1; p99[NR] = ms($2) }
    END {
      n = NR; for (i = 1; i <= n; i++) idx[i] = i
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (rps[idx[j]] < rps[idx[i]]) { t = idx[i]; idx[i] = idx[j]; idx[j] = t }
      m = idx[int((n + 1) / 2)]; printf "%.0f %.2f\n", rps[m], p99[m]
    }'
}

echo "date: $(date -u +%Y-%m-%dT%H:%MZ), load before: $load_before, after: $load_after"
echo "python: $("$PYTHON" --version 2>&1); uvicorn $("$PYTHON" -c 'import uvicorn; print(uvicorn.__version__)')," \
  "httptools $("$PYTHON" -c 'import httptools; print(httptools.__version__)')," \
  "uvloop $("$PYTHON" -c 'import uvloop; print(uvloop.__version__)')"
echo "wrk -t1 -c$CONNECTIONS -d$DURATION after a $WARMUP warm-up, median of $ROUNDS interleaved rounds, one process each"
echo
echo "| body | loop | built-in worker req/s (p99 ms) | uvicorn req/s (p99 ms) | ratio |"
echo "|---|---|---:|---:|---:|"
for path in / /64k; do
  body=$([ "$path" = / ] && echo hello || echo 64k)
  for pair in "uvloop worker-uvloop uvicorn-httptools-uvloop" "asyncio worker-asyncio uvicorn-h11-asyncio"; do
    read -r loop ours theirs <<<"$pair"
    read -r our_rps our_p99 <<<"$(median "${results[$path $ours]}")"
    read -r their_rps their_p99 <<<"$(median "${results[$path $theirs]}")"
    ratio=$(awk -v a="$our_rps" -v b="$their_rps" 'BEGIN { printf "%.2f", a / b }')
    parser=$([ "$loop" = uvloop ] && echo httptools || echo h11)
    echo "| $body | $loop (uvicorn on $parser) | $our_rps ($our_p99) | $their_rps ($their_p99) | ${ratio}x |"
  done
done
