package io.mistguard.proxy.soak;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * mistguard's heap in use (after a full GC), live threads and open file descriptors at one moment,
 * read from its own {@code /metrics} (Micrometer's JVM and process meters), and how many of those
 * descriptors are connections Mist's trigger sender keeps open to the trigger listener
 * ({@link InboundSockets}). Immutable.
 */
record ResourceSample(String when, long heapBytes, long threads, long fds, long triggerClients) {

    private static final Pattern HEAP = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} (\\S+)$");
    private static final Pattern THREADS = Pattern.compile("(?m)^jvm_threads_live_threads(?:\\{[^}]*})? (\\S+)$");
    private static final Pattern FDS = Pattern.compile("(?m)^process_files_open_files(?:\\{[^}]*})? (\\S+)$");

    static ResourceSample parse(String when, String scrape, long triggerClients) {
        long heap = 0;
        Matcher m = HEAP.matcher(scrape);
        while (m.find()) {
            heap += (long) Double.parseDouble(m.group(1));
        }
        return new ResourceSample(when, heap, single(THREADS, scrape), single(FDS, scrape), triggerClients);
    }

    private static long single(Pattern p, String scrape) {
        Matcher m = p.matcher(scrape);
        if (!m.find()) {
            throw new IllegalStateException("no " + p + " in the scrape");
        }
        return (long) Double.parseDouble(m.group(1));
    }

    /** Descriptors that are mistguard's to bound: all but the trigger sender's keep-alive connections. */
    long ownFds() {
        return fds - triggerClients;
    }

    @Override
    public String toString() {
        return String.format("%s: heap %.1f MiB, %d threads, %d fds (%d of them Mist's trigger connections)", when,
                heapBytes / 1048576.0, threads, fds, triggerClients);
    }
}
