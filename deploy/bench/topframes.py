#!/usr/bin/env python3
"""Top frames of an async-profiler collapsed-stack file (recorded with `collapsed,total`), as markdown.

    topframes.py FILE --kind cpu|alloc --requests N [--top 15]

cpu:   weights are nanoseconds of CPU; per request = weight / N, in microseconds.
alloc: weights are bytes; per request = weight / N, in bytes.

Prints the top frames by self weight (the stack's leaf) and by inclusive weight (every stack the
frame appears in, counted once per stack), the threads, and for cpu the weight of each lever of the
request path that a regular expression over the frames can name (a stack counts for a lever when
any of its frames matches; levers may overlap).
"""
import argparse
import collections
import re
import sys

# Lever name -> regular expression over a frame (searched). Order matters only for display.
CPU_LEVERS = [
    ("access log: making the event on the event loop (AccessLog.log)", r"[./](Trigger)?AccessLog\.log"),
    ("access log: its writer thread (BatchingAppender)", r"^\[mistguard-log-|^\[(AsyncAppender|logback)"),
    ("epoll_ctl (interest changes: manual read() / auto-read off)", r"epoll_ctl"),
    ("epoll_wait", r"epoll_wait|epollWait|epollBusyWait"),
    ("socket read syscalls", r"__x64_sys_read$|__x64_sys_recvfrom|ksys_read|sys_read\b|Native\.read|FileDescriptor\.read|readAddress"),
    ("socket write syscalls (flush)", r"__x64_sys_write$|__x64_sys_writev|__x64_sys_sendmsg|ksys_write|do_writev|writevAddresses|writeAddress|FileDescriptor\.write"),
    ("flush path (Netty flush0/doWrite)", r"flush0|\.doWrite\b|doWriteMultiple|doWriteSingle"),
    ("timers: schedule()/cancel (deadline, idle)", r"io/mistguard/proxy/time/LoopTimer|AbstractScheduledEventExecutor\.(schedule|removeScheduled|cancelScheduledTasks)|ScheduledFutureTask\.cancel|DefaultPriorityQueue|IdleStateHandler\.(schedule|initialize|destroy)"),
    ("HttpObjectAggregator / RequestAggregator", r"MessageAggregator|HttpObjectAggregator|RequestAggregator"),
    ("FlowControlHandler", r"FlowControlHandler"),
    ("HTTP decode (client + upstream side)", r"HttpObjectDecoder|HttpRequestDecoder|HttpResponseDecoder|StrictRequestDecoder|HttpClientCodec\$Decoder"),
    ("HTTP encode (client + upstream side)", r"HttpObjectEncoder|HttpResponseEncoder|HttpRequestEncoder|HttpClientCodec\$Encoder"),
    ("classify (CommandClassifier)", r"classify[./]CommandClassifier"),
    ("route lookup (RouteTable)", r"route[./]RouteTable"),
    ("policy (PolicyForwarder/PolicyExchange/Breaker/Admission)", r"proxy[./]policy[./]"),
    ("metrics (Micrometer)", r"io[./]micrometer"),
    ("upstream client (mistguard upstream/)", r"proxy[./]upstream[./]"),
    ("GC", r"^\[VM Thread|^\[GC|SerialHeap|DefNewGeneration|TenuredGeneration|GenCollectedHeap|G1|CollectedHeap::"),
    ("JIT compiler threads", r"^\[C[12] CompilerThre"),  # thread names are cut to 15 characters
    ("kernel (any kernel frame)", r"_\[k\]$"),
]


def parse(path):
    stacks = []
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if not line:
            continue
        frames, _, weight = line.rpartition(" ")
        try:
            stacks.append((frames.split(";"), int(weight)))
        except ValueError:
            continue
    return stacks


def fmt(weight, kind, requests):
    per = weight / requests
    return "%.2f µs" % (per / 1000) if kind == "cpu" else "%.0f B" % per


def table(title, counter, total, kind, requests, top, header="frame"):
    print("**%s**\n" % title)
    print("| # | %s | share | per request |" % header)
    print("|---|---|---|---|")
    for i, (frame, weight) in enumerate(counter.most_common(top), 1):
        print("| %d | `%s` | %.1f%% | %s |" % (i, frame.replace("|", "\\|")[:160], 100.0 * weight / total,
                                             fmt(weight, kind, requests)))
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--kind", choices=["cpu", "alloc"], required=True)
    ap.add_argument("--requests", type=int, required=True)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    stacks = parse(args.file)
    if not stacks or args.requests <= 0:
        print("(no samples)")
        return
    total = sum(w for _, w in stacks)
    threads, self_w, incl_w, site_w = (collections.Counter() for _ in range(4))
    for frames, w in stacks:
        if frames[0].startswith("["):
            threads[re.sub(r" tid=\d+", "", frames[0])] += w
            frames = frames[1:] or frames
        self_w[frames[-1]] += w
        for frame in set(frames):
            incl_w[frame] += w
        if args.kind == "alloc" and len(frames) >= 2:
            site_w[frames[-2]] += w
    unit = "CPU" if args.kind == "cpu" else "allocation"
    print("## %s profile: %s per request in total, %d requests\n" % (
        args.kind, fmt(total, args.kind, args.requests), args.requests))
    table("Threads", threads, total, args.kind, args.requests, args.top, "thread")
    if args.kind == "cpu":
        table("Top %d frames by self %s" % (args.top, unit), self_w, total, args.kind, args.requests, args.top)
        table("Top %d frames by inclusive %s" % (args.top, unit), incl_w, total, args.kind, args.requests, args.top)
        # Self time charged to the deepest Java frame: the method that ran, or that made the native or
        # kernel call the time was spent in. Inclusive frames of a proxy nest the whole response path
        # under the upstream read (policy, upstream client), so they say little about whose cost it is.
        java = collections.Counter()
        for frames, w in stacks:
            owner = next((f for f in reversed(frames) if "/" in f and not f.endswith("_[k]")
                          and not f.startswith("/")), frames[-1])
            java[owner] += w
        table("Top %d Java methods by self %s, native and kernel time included" % (args.top, unit), java, total,
              args.kind, args.requests, args.top, "Java method")
        syscalls = collections.Counter()
        for frames, w in stacks:
            for i, frame in enumerate(frames[:-1]):
                if frame.startswith("do_syscall_64"):
                    syscalls[frames[i + 1]] += w
                    break
        table("Kernel time by system call (the frame under do_syscall_64; in a VM, time with interrupts "
              "off is sampled at pvm_irq_enable, so the leaf frames say little)", syscalls, total, args.kind,
              args.requests, args.top, "syscall")
        print("**Levers** (stacks with any frame matching; overlapping)\n")
        print("| lever | share | per request |")
        print("|---|---|---|")
        for name, pattern in CPU_LEVERS:
            rx = re.compile(pattern)
            w = sum(weight for frames, weight in stacks if any(rx.search(f) for f in frames))
            print("| %s | %.1f%% | %s |" % (name, 100.0 * w / total, fmt(w, "cpu", args.requests)))
        print()
    else:
        table("Top %d allocated types" % args.top, self_w, total, args.kind, args.requests, args.top, "type")
        table("Top %d allocation sites (the allocating frame)" % args.top, site_w, total, args.kind,
              args.requests, args.top, "site")
        table("Top %d frames by inclusive allocation" % args.top, incl_w, total, args.kind, args.requests, args.top)


if __name__ == "__main__":
    sys.exit(main())
