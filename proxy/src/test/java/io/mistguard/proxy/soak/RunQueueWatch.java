package io.mistguard.proxy.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * How long some threads of a process were ready to run but waited for a core: every
 * {@value #EVERY_MILLIS} ms it reads the kernel's per-thread {@code run_delay}
 * ({@code /proc/PID/task/TID/schedstat}, second field) of the threads whose name starts with a
 * prefix — mistguard's event loops ({@code mistguard-io}), or the soak's callers. That wait is the
 * machine's (other processes, the JVM's own compiler and GC threads), never the thread's own work: a
 * loop busy with a slow handler is running, not waiting. Credit for a late answer is what was
 * measured between the first sample after the request was sent and the last one before its answer
 * arrived, so it never exceeds the truth. Empty where the kernel keeps no such statistics.
 * Thread-safe.
 */
final class RunQueueWatch implements AutoCloseable {

    static final long EVERY_MILLIS = 50;
    private static final int KEEP = 100_000;

    /** One sample: when, and each watched thread's cumulative run-queue wait in nanoseconds, by name. */
    private record Sample(long at, Map<String, Long> waited) {
    }

    private final Path tasks;
    private final String prefix;
    private final Deque<Sample> samples = new ArrayDeque<>();
    /** Task id to its name ({@code ""} when not watched); a thread keeps its name, so each is read once. */
    private final Map<String, String> names = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    /** Watches the threads of {@code pid} whose name (as the kernel keeps it: 15 characters) starts with {@code prefix}. */
    RunQueueWatch(long pid, String prefix) {
        this.tasks = Path.of("/proc", Long.toString(pid), "task");
        this.prefix = prefix;
        thread = new Thread(this::run, "soak-run-queue-" + pid);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!closed && Files.isDirectory(tasks)) {
            Map<String, Long> waited = read();
            if (!waited.isEmpty()) {
                synchronized (this) {
                    if (samples.size() == KEEP) {
                        samples.removeFirst();
                    }
                    samples.addLast(new Sample(System.nanoTime(), waited));
                }
            }
            try {
                Thread.sleep(EVERY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Map<String, Long> read() {
        Map<String, Long> out = new HashMap<>();
        try (var list = Files.list(tasks)) {
            for (Path task : list.toList()) {
                try {
                    String tid = task.getFileName().toString();
                    String name = names.get(tid);
                    if (name == null) {
                        String comm = Files.readString(task.resolve("comm")).trim();
                        name = comm.startsWith(prefix) ? comm : "";
                        names.put(tid, name);
                    }
                    if (!name.isEmpty()) {
                        String[] f = Files.readString(task.resolve("schedstat")).trim().split(" ");
                        out.merge(name, Long.parseLong(f[1]), Long::sum);
                    }
                } catch (IOException | RuntimeException gone) {
                    // the thread ended, or this kernel keeps no schedstat
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the process ended
        }
        return out;
    }

    /**
     * How long the thread named {@code name} (the kernel's 15 characters), or with {@code null} the
     * one that waited most, waited for a core inside [{@code from}, {@code to}], in nanoseconds.
     */
    synchronized long waitedWithin(String name, long from, long to) {
        Sample first = null;
        Sample last = null;
        for (Sample s : samples) {
            if (s.at() >= from && first == null) {
                first = s;
            }
            if (s.at() <= to) {
                last = s;
            }
        }
        if (first == null || last == null || last.at() <= first.at()) {
            return 0;
        }
        long most = 0;
        for (Map.Entry<String, Long> e : last.waited().entrySet()) {
            Long before = first.waited().get(e.getKey());
            if (before != null && (name == null || name.equals(e.getKey()))) {
                most = Math.max(most, e.getValue() - before);
            }
        }
        return most;
    }

    /** The run-queue wait of all watched threads over the whole watch, in milliseconds. */
    synchronized long totalMillis() {
        if (samples.size() < 2) {
            return 0;
        }
        long sum = 0;
        for (Map.Entry<String, Long> e : samples.getLast().waited().entrySet()) {
            sum += e.getValue() - samples.getFirst().waited().getOrDefault(e.getKey(), e.getValue());
        }
        return sum / 1_000_000;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
