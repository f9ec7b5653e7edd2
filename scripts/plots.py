#!/usr/bin/env python3
"""Plots for docs/BENCHMARKS.md, as SVG files written by hand: no third-party package.

    scripts/plots.py [--data docs/bench-data] [--out docs/plots]
    scripts/plots.py import-criterion [target/criterion] [--data docs/bench-data]

Reads whatever the data folder holds and draws every plot it has numbers for:

- `bench-*.json` (`spdz2k bench --json`): multiplications per second against the batch
  size (`count`), and proxied against direct delivery (microseconds per output, end to end).
- `criterion-online.json` (written by `import-criterion` from criterion's estimates of
  `benches/online_mesh.rs` and `benches/online_tls.rs`): the in-memory mesh's rate against
  the batch size, and loopback TLS against the in-memory mesh.
- `offline-*.txt` (the output of `spdz2k bench-offline`) or `offline-*.json` (with
  `triples` and `triples_per_second`): the offline phase's triples per second.

A plot without data is skipped with a note; a file it cannot read is named and skipped.
"""

import glob
import json
import math
import os
import re
import sys

WIDTH, HEIGHT = 780, 420
LEFT, RIGHT, TOP, BOTTOM = 80, 230, 60, 50
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]


def esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fmt(v):
    """A short label for an axis value."""
    if v == 0:
        return "0"
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:g}{suffix}"
    if abs(v) >= 1:
        return f"{v:g}"
    return f"{v:.2g}"


def nice_ticks(lo, hi, n=5):
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 5, 10) if m * mag >= raw), default=mag * 10)
    start = math.floor(lo / step) * step
    count = math.ceil((hi - start) / step - 1e-9)
    return [round(start + i * step, 12) for i in range(count + 1)]


class Svg:
    def __init__(self, title, xlabel, ylabel):
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
            f'<text x="{WIDTH / 2}" y="24" text-anchor="middle" font-size="15">{esc(title)}</text>',
            f'<text x="{LEFT + (WIDTH - LEFT - RIGHT) / 2}" y="{HEIGHT - 12}" '
            f'text-anchor="middle">{esc(xlabel)}</text>',
            f'<text x="18" y="{TOP + (HEIGHT - TOP - BOTTOM) / 2}" text-anchor="middle" '
            f'transform="rotate(-90 18 {TOP + (HEIGHT - TOP - BOTTOM) / 2})">{esc(ylabel)}</text>',
        ]

    def add(self, s):
        self.parts.append(s)

    def legend(self, names):
        for i, name in enumerate(names):
            y = TOP + 10 + 20 * i
            x = WIDTH - RIGHT + 15
            self.add(f'<rect x="{x}" y="{y - 9}" width="12" height="12" '
                     f'fill="{COLOURS[i % len(COLOURS)]}"/>')
            self.add(f'<text x="{x + 18}" y="{y + 2}">{esc(name)}</text>')

    def write(self, path, note=None):
        if note:
            self.add(f'<text x="{WIDTH / 2}" y="42" text-anchor="middle" font-size="11" '
                     f'fill="#555">{esc(note)}</text>')
        self.parts.append("</svg>")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(self.parts) + "\n")
        print(f"wrote {path}")


def y_axis(svg, lo, hi):
    ticks = nice_ticks(lo, hi)
    top = ticks[-1]
    plot_h = HEIGHT - TOP - BOTTOM

    def y(v):
        return TOP + plot_h * (1 - (v - ticks[0]) / (top - ticks[0] or 1))

    for t in ticks:
        svg.add(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
                f'stroke="#ddd"/>')
        svg.add(f'<text x="{LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{fmt(t)}</text>')
    svg.add(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="black"/>')
    svg.add(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" '
            f'y2="{HEIGHT - BOTTOM}" stroke="black"/>')
    return y


def line_plot(path, title, xlabel, ylabel, series, note=None):
    """series: {name: [(x, y), ...]}, x on a log scale."""
    series = {k: sorted(v) for k, v in series.items() if v}
    if not series:
        return False
    xs = [x for pts in series.values() for x, _ in pts]
    ys = [y for pts in series.values() for _, y in pts]
    svg = Svg(title, xlabel, ylabel)
    y = y_axis(svg, 0, max(ys) * 1.1)
    lx0, lx1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    if lx1 == lx0:
        lx1 += 1
    plot_w = WIDTH - LEFT - RIGHT

    def x(v):
        return LEFT + plot_w * (math.log10(v) - lx0) / (lx1 - lx0)

    for e in range(lx0, lx1 + 1):
        svg.add(f'<text x="{x(10 ** e):.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{fmt(10 ** e)}</text>')
    for i, (name, pts) in enumerate(series.items()):
        c = COLOURS[i % len(COLOURS)]
        d = " ".join(f"{x(px):.1f},{y(py):.1f}" for px, py in pts)
        svg.add(f'<polyline points="{d}" fill="none" stroke="{c}" stroke-width="2"/>')
        for px, py in pts:
            svg.add(f'<circle cx="{x(px):.1f}" cy="{y(py):.1f}" r="3.5" fill="{c}">'
                    f'<title>{esc(name)}: {fmt(px)} -> {py:.4g}</title></circle>')
    svg.legend(list(series))
    svg.write(path, note)
    return True


def bar_plot(path, title, ylabel, groups, names, note=None):
    """groups: [(group label, {name: value})]; one bar per name in each group."""
    groups = [(g, vals) for g, vals in groups if vals]
    if not groups:
        return False
    top = max(v for _, vals in groups for v in vals.values())
    svg = Svg(title, "", ylabel)
    y = y_axis(svg, 0, top * 1.15)
    plot_w = WIDTH - LEFT - RIGHT
    gw = plot_w / len(groups)
    bw = gw * 0.8 / max(1, len(names))
    for gi, (label, vals) in enumerate(groups):
        gx = LEFT + gi * gw + gw * 0.1
        for ni, name in enumerate(names):
            if name not in vals:
                continue
            v = vals[name]
            bx = gx + ni * bw
            svg.add(f'<rect x="{bx:.1f}" y="{y(v):.1f}" width="{bw * 0.9:.1f}" '
                    f'height="{y(0) - y(v):.1f}" fill="{COLOURS[ni % len(COLOURS)]}">'
                    f'<title>{esc(name)}: {v:.4g}</title></rect>')
            svg.add(f'<text x="{bx + bw * 0.45:.1f}" y="{y(v) - 4:.1f}" text-anchor="middle" '
                    f'font-size="10">{v:.3g}</text>')
        svg.add(f'<text x="{LEFT + gi * gw + gw / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{esc(label)}</text>')
    svg.legend(names)
    svg.write(path, note)
    return True


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"skipping {path}: {e}", file=sys.stderr)
        return None


def bench_reports(data):
    out = []
    for p in sorted(glob.glob(os.path.join(data, "bench-*.json"))):
        r = load_json(p)
        if isinstance(r, dict) and r.get("command") == "bench" and r.get("runs"):
            out.append(r)
    return out


def offline_rates(data):
    """[(label, triples per second)] from bench-offline text or JSON."""
    rates = []
    line = re.compile(r"P(\d+): (\d+) triples in ([\d.]+) s .*?= (\d+) triples/s")
    for p in sorted(glob.glob(os.path.join(data, "offline-*.txt"))):
        try:
            with open(p, encoding="utf-8") as f:
                found = [m.groups() for m in map(line.search, f) if m]
        except OSError as e:
            print(f"skipping {p}: {e}", file=sys.stderr)
            continue
        if found:
            triples = int(found[0][1])
            rate = min(float(g[3]) for g in found)  # the slower party sets the pace
            rates.append((f"{fmt(triples)} triples", rate))
    for p in sorted(glob.glob(os.path.join(data, "offline-*.json"))):
        r = load_json(p)
        if not isinstance(r, dict):
            continue
        # `spdz2k bench-offline --json` writes `triples_per_s`; older files `..._second`.
        rate = r.get("triples_per_s", r.get("triples_per_second"))
        if rate is not None:
            label = f"{fmt(r.get('triples', 0))} triples"
            if "params" in r:
                label = f"{r['params']}, {r.get('parties', 2)} parties"
            rates.append((label, float(rate)))
    return rates


def load_note(reports):
    loads = [r["load_average"] for r in reports if r.get("load_average") is not None]
    if not loads:
        return None
    return f"load average {min(loads):.1f} to {max(loads):.1f} (2 cores) during these runs"


def plot_all(data, out):
    os.makedirs(out, exist_ok=True)
    reports = bench_reports(data)
    crit_path = os.path.join(data, "criterion-online.json")
    criterion = (load_json(crit_path) if os.path.exists(crit_path) else None) or {}
    note = load_note(reports)
    made = []

    # 1. Throughput against batch size.
    series = {}
    for r in reports:
        for run in r["runs"]:
            if run.get("mul_per_second"):
                name = f"processes, TLS, {run['topology']}"
                series.setdefault(name, []).append((r["count"], run["mul_per_second"]))
    mesh = criterion.get("mesh_mul_per_second", {})
    if mesh:
        series["one process, in-memory mesh"] = [(int(b), v) for b, v in mesh.items()]
    if line_plot(os.path.join(out, "throughput-vs-batch.svg"),
                 "Two-party multiplications per second against batch size (K64S64)",
                 "multiplications per batch (log scale)", "multiplications per second",
                 series, note):
        made.append("throughput-vs-batch.svg")

    # 2. TLS against the in-memory mesh (one process, same batch).
    tls = criterion.get("tls_vs_memory", {})
    groups = [(f"batch {fmt(int(b))}", v) for b, v in sorted(tls.items(), key=lambda i: int(i[0]))]
    if bar_plot(os.path.join(out, "tls-vs-memory.svg"),
                "Multiplications per second: loopback mutual TLS against in-memory mesh",
                "multiplications per second", groups, ["memory", "tls"],
                "criterion medians, benches/online_tls.rs"):
        made.append("tls-vs-memory.svg")

    # 3. Proxied against direct delivery.
    groups = []
    for r in reports:
        vals = {}
        for run in r["runs"]:
            if run.get("end_to_end_seconds") and r.get("outputs"):
                vals[run["topology"]] = run["end_to_end_seconds"] / r["outputs"] * 1e6
        groups.append((f"{fmt(r['outputs'])} outputs, run {len(groups) + 1}", vals))
    if bar_plot(os.path.join(out, "proxied-vs-direct.svg"),
                "Output delivery, parties start -> client verified all",
                "microseconds per output (lower is better)", groups, ["proxied", "direct"],
                note):
        made.append("proxied-vs-direct.svg")

    # 4. The offline phase's rate.
    rates = offline_rates(data)
    if bar_plot(os.path.join(out, "offline-rate.svg"),
                "Offline phase: checked triples per second (separate processes, loopback TLS)",
                "triples per second", [(label, {"triples/s": v}) for label, v in rates],
                ["triples/s"], "spdz2k bench-offline; the slower party's rate"):
        made.append("offline-rate.svg")

    for name in ("throughput-vs-batch.svg", "tls-vs-memory.svg", "proxied-vs-direct.svg",
                 "offline-rate.svg"):
        if name not in made:
            print(f"no data for {name} in {data}; skipped", file=sys.stderr)
    return made


def import_criterion(crit, data):
    """Criterion's medians for the online benches -> data/criterion-online.json."""
    def median_ns(path):
        est = load_json(path)
        return est and est.get("median", {}).get("point_estimate")

    out = {"mesh_mul_per_second": {}, "tls_vs_memory": {}}
    for p in glob.glob(os.path.join(crit, "two_party_mul_mesh_K64S64", "*", "new", "estimates.json")):
        batch = p.split(os.sep)[-3]
        ns = median_ns(p)
        if ns and batch.isdigit():
            out["mesh_mul_per_second"][batch] = int(batch) / (ns / 1e9)
    for kind in ("memory", "tls"):
        for p in glob.glob(os.path.join(crit, "two_party_mul_K64S64", kind, "*", "new",
                                        "estimates.json")):
            batch = p.split(os.sep)[-3]
            ns = median_ns(p)
            if ns and batch.isdigit():
                out["tls_vs_memory"].setdefault(batch, {})[kind] = int(batch) / (ns / 1e9)
    os.makedirs(data, exist_ok=True)
    path = os.path.join(data, "criterion-online.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2, sort_keys=True)
    print(f"wrote {path}")


def main(argv):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    data = os.path.join(root, "docs", "bench-data")
    out = os.path.join(root, "docs", "plots")
    args = list(argv)

    def flag(name, default):
        if name in args:
            i = args.index(name)
            if i + 1 >= len(args):
                sys.exit(f"{name} needs a value")
            value = args[i + 1]
            del args[i:i + 2]
            return value
        return default

    data = flag("--data", data)
    out = flag("--out", out)
    if args and args[0] == "import-criterion":
        import_criterion(args[1] if len(args) > 1 else os.path.join(root, "target", "criterion"),
                         data)
        return 0
    if args:
        sys.exit(__doc__)
    made = plot_all(data, out)
    return 0 if made else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
