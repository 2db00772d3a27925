package io.mistguard.sim.record;

import io.mistguard.sim.api.MistRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What sim-mist received on its API port: every request (the latest {@value #KEEP} kept in full;
 * counters are exact), per-command concurrency high-water marks, connections opened, open at once
 * and closed by the peer, requests that arrived pipelined, {@code /ws} WebSocket sessions opened and
 * closed, and which commands actually ran (authorised, under the lock) for which streams.
 * Thread-safe: the API port's event loops and the command thread write, tests and the control
 * endpoint read.
 */
public final class Recording {

    static final int KEEP = 50_000;

    private final Deque<RecordedRequest> requests = new ArrayDeque<>();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong requestCount = new AtomicLong();
    private final Map<String, AtomicLong> commandCounts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> maxInFlight = new ConcurrentHashMap<>();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final Map<String, AtomicLong> executedCounts = new ConcurrentHashMap<>();
    /** Command and stream ({@code command + '\0' + stream}) to the {@code System.nanoTime()} it last ran at. */
    private final Map<String, Long> lastExecuted = new ConcurrentHashMap<>();
    private final EventCounter closedByPeer = new EventCounter();
    private final AtomicLong pipelined = new AtomicLong();
    private final EventCounter webSocketsOpened = new EventCounter();
    private final EventCounter webSocketsClosed = new EventCounter();

    // The write side below is public for the API port's handlers, which do all the recording.

    /** Records a request and counts it as in flight until the returned handle is ended. */
    public InFlight begin(String connectionId, MistRequest r) {
        RecordedRequest rec = new RecordedRequest(seq.incrementAndGet(), connectionId, Instant.now(), r.method(),
                r.path(), r.headers(), r.body(), r.commandKeys(), r.streams());
        synchronized (requests) {
            if (requests.size() == KEEP) {
                requests.removeFirst();
            }
            requests.addLast(rec);
        }
        requestCount.incrementAndGet();
        for (String key : r.commandKeys()) {
            commandCounts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
            int now = inFlight.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            maxInFlight.computeIfAbsent(key, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        }
        return new InFlight(r);
    }

    public void connectionOpened() {
        opened.incrementAndGet();
        maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
    }

    /** A connection closed, whoever closed it; pairs with {@link #connectionOpened()}. */
    public void connectionClosed() {
        open.decrementAndGet();
    }

    /**
     * The request's commands ran: it was authorised and executed under the global lock (a hang,
     * a close without answer or an injected status never gets here). Called on the command thread.
     */
    public void executed(MistRequest r) {
        long now = System.nanoTime();
        for (String key : r.commandKeys()) {
            executedCounts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
            for (String stream : r.streams()) {
                lastExecuted.put(key + '\0' + stream, now);
            }
        }
    }

    public void connectionClosedByPeer() {
        closedByPeer.increment();
    }

    public void pipelinedRequest() {
        pipelined.incrementAndGet();
    }

    public void webSocketOpened() {
        webSocketsOpened.increment();
    }

    public void webSocketClosed() {
        webSocketsClosed.increment();
    }

    public long requestCount() {
        return requestCount.get();
    }

    public long commandCount(String command) {
        AtomicLong n = commandCounts.get(command);
        return n == null ? 0 : n.get();
    }

    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Stream names carried by {@code command}, in the order received. */
    public List<String> streamsFor(String command) {
        List<String> out = new ArrayList<>();
        for (RecordedRequest r : requests()) {
            if (r.commandKeys().contains(command)) {
                out.addAll(r.streams());
            }
        }
        return out;
    }

    /** The most requests carrying {@code command} that were in flight at once. */
    public int maxConcurrent(String command) {
        AtomicInteger n = maxInFlight.get(command);
        return n == null ? 0 : n.get();
    }

    public long connectionsOpened() {
        return opened.get();
    }

    /** Connections open now. */
    public int connectionsOpen() {
        return open.get();
    }

    /** The most connections that were open at once since the start (or the last {@link #clear()}). */
    public int maxConnectionsOpen() {
        return maxOpen.get();
    }

    /** How many requests carrying {@code command} ran (authorised and executed, not faulted away). */
    public long executedCount(String command) {
        AtomicLong n = executedCounts.get(command);
        return n == null ? 0 : n.get();
    }

    /**
     * The {@code System.nanoTime()} at which {@code command} last ran for {@code stream}, or
     * {@link Long#MIN_VALUE} if it never did. Comparable with the nano time of the JVM running
     * this sim-mist only.
     */
    public long lastExecutedNanos(String command, String stream) {
        Long at = lastExecuted.get(command + '\0' + stream);
        return at == null ? Long.MIN_VALUE : at;
    }

    public long connectionsClosedByPeer() {
        return closedByPeer.get();
    }

    /** Waits until at least {@code n} connections were closed by the peer; false on timeout. */
    public boolean awaitConnectionsClosedByPeer(int n, Duration timeout) throws InterruptedException {
        return closedByPeer.await(n, timeout);
    }

    /**
     * Requests that arrived pipelined: complete on a connection while an earlier request on it was
     * still unanswered (in the same socket read, or before its reply was written). Mist serves one
     * request per socket read, so a client that pipelines to it hangs; a proxy should keep this at 0.
     */
    public long pipelinedRequests() {
        return pipelined.get();
    }

    /** {@code /ws} WebSocket sessions whose handshake completed. */
    public long webSocketsOpened() {
        return webSocketsOpened.get();
    }

    /** {@code /ws} WebSocket sessions that ended (their connection closed, by either side). */
    public long webSocketsClosed() {
        return webSocketsClosed.get();
    }

    /** Waits until at least {@code n} WebSocket sessions have ended; false on timeout. */
    public boolean awaitWebSocketsClosed(int n, Duration timeout) throws InterruptedException {
        return webSocketsClosed.await(n, timeout);
    }

    /** Forgets everything recorded (requests in flight stay counted as in flight). */
    public void clear() {
        synchronized (requests) {
            requests.clear();
        }
        requestCount.set(0);
        commandCounts.clear();
        maxInFlight.clear();
        opened.set(0);
        maxOpen.set(open.get());
        executedCounts.clear();
        lastExecuted.clear();
        closedByPeer.reset();
        pipelined.set(0);
        webSocketsOpened.reset();
        webSocketsClosed.reset();
    }

    /** One request in flight; {@link #end()} is idempotent so every exit path may call it. */
    public final class InFlight {
        private final MistRequest request;
        private final AtomicBoolean ended = new AtomicBoolean();

        private InFlight(MistRequest request) {
            this.request = request;
        }

        public void end() {
            if (ended.compareAndSet(false, true)) {
                request.commandKeys().forEach(k -> inFlight.get(k).decrementAndGet());
            }
        }
    }
}
