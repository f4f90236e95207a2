"""Prints the summary of a sync_bench.sh run from the files it left.

Usage: report.py WORKDIR --scale S --clients C --incremental-rooms "N M"
                 --cores K --sync-writes B

Reads WORKDIR/{fanout,initial-*,concurrent-*,incremental-*}.json (one
sync_probe JSON line each; missing files are skipped), the ceiling.sh
outputs WORKDIR/ceiling-1.txt and WORKDIR/ceiling-C.txt, each server
directory's footprint file (data directory MB) and the per-run peak RSS
files rss-LABEL (MB). Ratios to the ceiling:

  sequential runs (initial, incremental): requests/s of one client,
      1 / p50, divided by the bare server's requests/s at 1 connection;
  concurrent: requests/s divided by the bare server's at C connections;
  fan-out: deliveries/s within one message's burst, members / p50 of
      send start -> all delivered, divided by the bare server's requests/s
      at C connections (both are responses pushed out per second).
"""

import argparse
import glob
import json
import os


def load(path):
    try:
        with open(path) as f:
            return json.loads(f.readline())
    except (OSError, ValueError):
        return None


def ceiling(path):
    """(requests/s, p50 us) of the bare server from a ceiling.sh output."""
    try:
        with open(path) as f:
            for line in f:
                cols = line.split()
                if len(cols) >= 4 and cols[0] == "bare":
                    return float(cols[1]), float(cols[2])
    except (OSError, ValueError):
        pass
    return None, None


def ms(us):
    return f"{us / 1000:9.2f} ms"


def ratio(rate, bare):
    return f"{rate / bare:.4f}" if bare else "n/a"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workdir")
    p.add_argument("--scale", default="1")
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--incremental-rooms", default="")
    p.add_argument("--cores", default="?")
    p.add_argument("--sync-writes", default="false")
    a = p.parse_args()
    w = a.workdir
    bare1, bare1_p50 = ceiling(os.path.join(w, "ceiling-1.txt"))
    baren, baren_p50 = ceiling(os.path.join(w, f"ceiling-{a.clients}.txt"))

    print()
    print(f"== sync summary (SCALE {a.scale}, {a.cores} cores, "
          f"sync_writes={a.sync_writes})")
    if bare1:
        print(f"ceiling, bare Beast server in this run: 1 connection "
              f"{bare1:,.0f} req/s (p50 {bare1_p50:.0f} us); {a.clients} "
              f"connections {baren or 0:,.0f} req/s (p50 {baren_p50 or 0:.0f} us)")
    print(f"{'':44} {'p50':>12} {'p99':>12} {'max':>12} {'bytes':>11} "
          f"{'/s':>9} {'/ ceiling':>10}")

    def row(name, lat, nbytes="", rate=None, bare=None):
        r = f"{rate:9.1f}" if rate is not None else f"{'':9}"
        q = ratio(rate, bare) if rate is not None else ""
        print(f"{name:44} {ms(lat['p50'])} {ms(lat['p99'])} {ms(lat['max'])} "
              f"{nbytes:>11} {r} {q:>10}")

    f = load(os.path.join(w, "fanout.json"))
    if f:
        print(f"fan-out: {f['ready']}/{f['members']} members, {f['messages']} "
              f"messages, {f['deliveries']} deliveries, {f['missed']} missed, "
              f"{f['other_wakeups']} other wake-ups, {f['errors']} errors, "
              f"{f['delivered_before_ack']} delivered before the send's ack")
        alls = f["all_delivered_us"]
        burst = f["ready"] / (alls["p50"] / 1e6) if alls["p50"] else None
        row("  send start -> delivered (each member)", f["from_send_us"])
        row("  send ack -> delivered (each member)", f["from_ack_us"])
        row(f"  send start -> all {f['ready']} delivered", alls,
            rate=burst, bare=baren)
        row("  send start -> ack", f["send_ack_us"])

    for kind in ("lazy", "full"):
        r = load(os.path.join(w, f"initial-{kind}.json"))
        if not r:
            continue
        lat = r["latency_us"]
        rate = 1e6 / lat["p50"] if lat["p50"] else None
        row(f"initial sync, {kind} members ({r['requests']} runs)", lat,
            f"{r['mean_bytes']:,.0f}", rate, bare1)

    for path in sorted(glob.glob(os.path.join(w, "concurrent-*.json"))):
        r = load(path)
        if not r:
            continue
        kind = path.rsplit("-", 1)[1][:-5]
        row(f"concurrent initial, {kind}, {r['clients']} clients",
            r["latency_us"], f"{r['mean_bytes']:,.0f}", r["requests_per_s"],
            baren)
        print(f"{'':44} {r['requests']} requests in {r['duration_s']} s, "
              f"{r['failures']} failed, {r['mb_per_s']} MB/s")

    p50s = {}
    for n in a.incremental_rooms.split():
        r = load(os.path.join(w, f"incremental-{n}.json"))
        if not r:
            continue
        lat, idle = r["sync_us"], r["idle_sync_us"]
        p50s[n] = lat["p50"]
        row(f"incremental, {n} rooms, 1 changed", lat,
            f"{r['mean_bytes']:,.0f}", 1e6 / lat["p50"] if lat["p50"] else None,
            bare1)
        row(f"incremental, {n} rooms, none changed", idle,
            f"{r['idle_mean_bytes']:,.0f}",
            1e6 / idle["p50"] if idle["p50"] else None, bare1)
        row(f"  (initial sync of that user, 1 run)", r["initial_us"],
            f"{r['initial_bytes']:,}")
        print(f"{'':44} {r['rounds']} rounds, {r['missing']} without the "
              f"message, {r['failures']} failed; send p50 "
              f"{r['send_us']['p50'] / 1000:.2f} ms")
    if len(p50s) >= 2:
        counts = sorted(p50s, key=int)
        lo, hi = counts[0], counts[-1]
        if p50s[lo]:
            print(f"incremental p50, {hi} rooms / {lo} rooms = "
                  f"{p50s[hi] / p50s[lo]:.2f} (1.00 = independent of the "
                  f"number of rooms)")

    peaks = []
    for path in sorted(glob.glob(os.path.join(w, "rss-*"))):
        with open(path) as fp:
            value = fp.read().strip()
        if value:
            peaks.append(f"{os.path.basename(path)[4:]} {value} MB")
    if peaks:
        print("server peak RSS during each run: " + ", ".join(peaks))
    sizes = []
    for path in sorted(glob.glob(os.path.join(w, "*", "footprint"))):
        with open(path) as fp:
            sizes.append(f"{os.path.basename(os.path.dirname(path))} "
                         f"{fp.read().strip()} MB")
    if sizes:
        print("data directory after each server: " + ", ".join(sizes))


if __name__ == "__main__":
    main()
