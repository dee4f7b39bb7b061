"""Turns a bench/run.sh results folder into a table (stdout), docs/benchmarks.md and an SVG."""

import re
import sys
from pathlib import Path

PROXIES = [
    "gunicorn",
    "nginx-gunicorn",
    "haproxy-gunicorn",
    "pylon-gunicorn",
    "uvicorn",
    "pylon-uvicorn",
    "gunicorn-1",
    "pylon-worker",
    "pylon-run",
]
# Pylon's own worker against gunicorn on the same app and process count: (row, its baseline).
OWN_WORKER = [("pylon-worker", "gunicorn-1"), ("pylon-run", "gunicorn")]
SCENARIOS = ["hello-keepalive", "hello-close", "64k-keepalive", "64k-close", "hello-sync"]
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse(path):
    text = path.read_text()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    latency = {}
    for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M):
        latency[pct] = float(value) * UNITS[unit]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    socket = re.search(r"Socket errors:(.*)", text)
    return {
        "rps": rps,
        "p50": latency.get("50"),
        "p99": latency.get("99"),
        "non2xx": int(errors.group(1)) if errors else 0,
        "socket": socket.group(1).strip() if socket else "",
    }


def median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def load(folder):
    """One result per cell: the median of each figure over the cell's rounds (run1, run2, ...)."""
    results = {}
    for scenario in SCENARIOS:
        for proxy in PROXIES:
            paths = sorted(folder.glob(f"{scenario}.{proxy}.run*.txt"))
            if not paths and (folder / f"{scenario}.{proxy}.txt").exists():
                paths = [folder / f"{scenario}.{proxy}.txt"]
            if not paths:
                continue
            runs = [parse(path) for path in paths]
            results[(scenario, proxy)] = {
                "rps": median(r["rps"] for r in runs),
                "p50": median(r["p50"] for r in runs),
                "p99": median(r["p99"] for r in runs),
                "non2xx": sum(r["non2xx"] for r in runs),
                "socket": "; ".join(r["socket"] for r in runs if r["socket"]),
                "rounds": len(runs),
            }
    return results


def table(results):
    lines = [
        "| scenario | server | requests/s | vs nginx | p50 ms | p99 ms | p99 vs nginx | errors |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for scenario in SCENARIOS:
        nginx = results.get((scenario, "nginx-gunicorn"))
        for proxy in PROXIES:
            r = results.get((scenario, proxy))
            if not r:
                continue
            ratio = f"{r['rps'] / nginx['rps']:.2f}" if nginx else ""
            p99_ratio = f"{r['p99'] / nginx['p99']:.2f}" if nginx and r["p99"] and nginx["p99"] else ""
            errors = ", ".join(x for x in [f"{r['non2xx']} non-2xx" if r["non2xx"] else "", r["socket"]] if x)
            lines.append(
                f"| {scenario} | {proxy} | {r['rps']:.0f} | {ratio} | {r['p50']:.2f} | {r['p99']:.2f} | {p99_ratio} | {errors} |"
            )
    return "\n".join(lines)


def own_worker_table(results):
    lines = [
        "| scenario | server | requests/s | baseline | baseline requests/s | ratio | p99 ms | baseline p99 ms |",
        "|---|---|---:|---|---:|---:|---:|---:|",
    ]
    for scenario in SCENARIOS:
        for row, base in OWN_WORKER:
            r, b = results.get((scenario, row)), results.get((scenario, base))
            if not r or not b:
                continue
            lines.append(
                f"| {scenario} | {row} | {r['rps']:.0f} | {base} | {b['rps']:.0f} | {r['rps'] / b['rps']:.2f} "
                f"| {r['p99']:.2f} | {b['p99']:.2f} |"
            )
    return "\n".join(lines) if len(lines) > 2 else ""


def svg(results):
    width, bar, gap, left = 900, 14, 26, 170
    groups = [s for s in SCENARIOS if any((s, p) in results for p in PROXIES)]
    height = 40 + len(groups) * (len(PROXIES) * bar + gap)
    top = max((r["rps"] for r in results.values()), default=1)
    colours = ["#9e9e9e", "#2e7d32", "#1565c0", "#e65100", "#6a1b9a", "#ef6c00", "#616161", "#00838f", "#ad1457"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
        '<text x="10" y="20" font-size="14">Requests per second (higher is better), one run, same machine</text>',
    ]
    y = 40
    for scenario in groups:
        parts.append(f'<text x="10" y="{y + 10}" font-weight="bold">{scenario}</text>')
        for i, proxy in enumerate(PROXIES):
            r = results.get((scenario, proxy))
            if not r:
                continue
            w = (width - left - 90) * r["rps"] / top
            parts.append(f'<text x="{left - 5}" y="{y + bar - 3}" text-anchor="end">{proxy}</text>')
            parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar - 2}" fill="{colours[i]}"/>')
            parts.append(f'<text x="{left + w + 4:.1f}" y="{y + bar - 3}">{r["rps"]:.0f}</text>')
            y += bar
        y += gap
    parts.append("</svg>")
    return "\n".join(parts)


def replace_section(text, name, section):
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    section = begin + "\n" + section + end
    if begin in text:
        return re.sub(re.escape(begin) + r".*" + re.escape(end), lambda _: section, text, flags=re.S)
    return text.rstrip() + "\n\n" + section + "\n"


def main():
    folder, docs = Path(sys.argv[1]), Path(sys.argv[2])
    results = load(folder)
    setup = (folder / "setup.txt").read_text() if (folder / "setup.txt").exists() else ""
    rendered = table(results)
    own = own_worker_table(results)
    print(rendered)
    if own:
        print("\n" + own)
    page = docs / "benchmarks.md"
    text = page.read_text() if page.exists() else "# Benchmarks\n"
    # A run limited to some rows (SERVERS=..., ONLY=...) rewrites only the sections it measured.
    if any(proxy == "nginx-gunicorn" for _, proxy in results):
        (docs / "benchmarks.svg").write_text(svg(results))
        text = replace_section(
            text,
            "bench",
            "## Router: side by side (bench/run.sh)\n\n"
            "```\n" + setup.strip() + "\n```\n\n" + rendered + "\n\n![requests per second](benchmarks.svg)\n",
        )
    if own:
        text = replace_section(
            text,
            "ownworker",
            "## Pylon's built-in WSGI worker against gunicorn (bench/run.sh)\n\n"
            "The same `bench/apps/wsgi_app.py`: one process each (pylon-worker against gunicorn-1, "
            "`--workers 1 --threads 8`), and `pylon run` (router + built-in worker, default "
            "instances, the launcher's own JVM flags) against gunicorn `--workers 2 --threads 8`.\n\n"
            "```\n" + setup.strip() + "\n```\n\n" + own + "\n",
        )
    page.write_text(text)


if __name__ == "__main__":
    main()
