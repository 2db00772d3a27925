#!/usr/bin/env python3
"""Two profile.sh results side by side, per request: where one target spends more than the other.

    compareprofiles.py DIR_A DIR_B        (each a deploy/bench/results/profile-*/ directory)

Typical use: DIR_A from `profile.sh`, DIR_B from `profile.sh --target netty-floor`, same load; the
difference is mistguard's own work, split by thread, by what ran (the leaf frame: kernel, Netty,
mistguard, the JDK, the JVM's native code, logging, metrics) and by lever (topframes.py's list; a
stack counts for every lever one of its frames matches). cpu in µs per request, alloc in bytes per
request, each profile divided by the requests of its own run. Both runs must be of the same load:
the kernel's share per request depends on the rate (a peer woken more often costs more).
"""
import collections
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from topframes import CPU_LEVERS, parse  # noqa: E402


def requests(directory, phase):
    report = open(os.path.join(directory, "report.md"), encoding="utf-8").read()
    found = re.search(r"^- %s: (\d+) requests, (\d+) req/s" % phase, report, re.M)
    if not found:
        sys.exit("%s: no '%s' line in report.md" % (directory, phase))
    return int(found.group(1)), int(found.group(2))


def what_ran(leaf):
    if leaf.endswith("_[k]"):
        return "kernel"
    for prefix, name in (("io/mistguard", "mistguard"), ("io/netty", "Netty"), ("ch/qos", "logging"),
                         ("org/slf4j", "logging"), ("io/micrometer", "metrics"), ("dev/failsafe", "Failsafe"),
                         ("java/", "JDK"), ("jdk/", "JDK"), ("sun/", "JDK")):
        if leaf.startswith(prefix):
            return name
    if leaf.endswith("_[i]"):  # alloc: the allocated type
        return "allocated type"
    return "JVM native, stubs, other"


def breakdown(directory, phase):
    n, rps = requests(directory, phase)
    stacks = parse(os.path.join(directory, phase + ".collapsed"))
    threads, ran, levers = collections.Counter(), collections.Counter(), collections.Counter()
    compiled = [(name, re.compile(pattern)) for name, pattern in CPU_LEVERS]
    for frames, w in stacks:
        thread = re.sub(r" tid=\d+\]?$", "]", frames[0]) if frames[0].startswith("[") else "?"
        thread = re.sub(r"-\d+(-\d+)?\]$", "]", thread)  # event loop numbering differs between processes
        threads[thread] += w
        leaf = frames[-2] if phase == "alloc" and len(frames) > 1 else frames[-1]
        ran[what_ran(leaf)] += w
        for name, rx in compiled:
            if any(rx.search(f) for f in frames):
                levers[name] += w
    return n, rps, {k: v / n for k, v in threads.items()}, {k: v / n for k, v in ran.items()}, \
        {k: v / n for k, v in levers.items()}


def table(title, a, b, unit, scale):
    print("**%s**\n" % title)
    print("| | A | B | A − B |")
    print("|---|---|---|---|")
    for key in sorted(set(a) | set(b), key=lambda k: -(a.get(k, 0) - b.get(k, 0))):
        va, vb = a.get(key, 0) / scale, b.get(key, 0) / scale
        if max(abs(va), abs(vb)) * scale < 0.5:  # under 0.5 ns or 0.5 B per request: noise
            continue
        print("| %s | %.2f %s | %.2f %s | %+.2f %s |" % (key.replace("|", "\\|"), va, unit, vb, unit, va - vb, unit))
    print()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a_dir, b_dir = sys.argv[1:]
    print("A = `%s`, B = `%s`\n" % (os.path.basename(a_dir.rstrip("/")), os.path.basename(b_dir.rstrip("/"))))
    for phase, unit, scale in (("cpu", "µs", 1000.0), ("alloc", "B", 1.0)):
        if not (os.path.exists(os.path.join(a_dir, phase + ".collapsed"))
                and os.path.exists(os.path.join(b_dir, phase + ".collapsed"))):
            continue
        na, ra, ta, wa, la = breakdown(a_dir, phase)
        nb, rb, tb, wb, lb = breakdown(b_dir, phase)
        print("## %s per request (A: %d requests at %d req/s; B: %d at %d req/s)\n" % (phase, na, ra, nb, rb))
        print("In total: A %.2f %s, B %.2f %s.\n" % (sum(ta.values()) / scale, unit, sum(tb.values()) / scale, unit))
        table("By thread", ta, tb, unit, scale)
        table("By what ran (the leaf frame%s)" % (": the allocating one" if phase == "alloc" else ""), wa, wb, unit,
              scale)
        if phase == "cpu":
            table("By lever (overlapping)", la, lb, unit, scale)


if __name__ == "__main__":
    main()
