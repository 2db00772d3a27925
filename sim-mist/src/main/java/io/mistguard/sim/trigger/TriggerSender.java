package io.mistguard.sim.trigger;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Sends triggers the way Mist does (mist-api.md §5): {@code POST} with {@code X-Trigger},
 * {@code X-Trigger-UUID} (stable across retries), {@code X-UUID}, {@code X-Version} and a
 * {@code text/plain} body of newline-joined payload lines. Blocking triggers get up to
 * {@code attempts} tries of {@code attemptTimeout} each, a non-200 counting as a failure, then the
 * default {@code true}. Every outcome is recorded. Thread-safe; never blocks its caller.
 */
public final class TriggerSender implements AutoCloseable {

    static final String VERSION = "3.4-catalyst sim-mist";

    private final URI url;
    private final Duration attemptTimeout;
    private final int attempts;
    private final String mistUuid = UUID.randomUUID().toString();
    private final ExecutorService executor;
    private final HttpClient client;
    private final List<TriggerOutcome> outcomes = new CopyOnWriteArrayList<>();

    /**
     * A sender to {@code url}; {@code null} disables triggers: {@link #send} refuses and
     * {@link #sendIfEnabled} answers Mist's default.
     */
    public TriggerSender(URI url, Duration attemptTimeout, int attempts) {
        this.url = url;
        this.attemptTimeout = attemptTimeout;
        this.attempts = attempts;
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "sim-mist-trigger");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(attemptTimeout).build();
    }

    /** True when a trigger URL is configured; without one no trigger is ever sent. */
    public boolean enabled() {
        return url != null;
    }

    /**
     * Sends a trigger and completes with its outcome once Mist would have decided. Requires a URL.
     * Non-blocking triggers get one attempt.
     */
    public CompletableFuture<TriggerOutcome> send(String trigger, List<String> payload, boolean blocking) {
        if (url == null) {
            throw new IllegalStateException("no trigger URL configured (expected: builder.triggerUrl(...))");
        }
        TriggerCall call = new TriggerCall(trigger, UUID.randomUUID().toString(), List.copyOf(payload), blocking,
                System.nanoTime());
        attempt(call, new ArrayList<>());
        return call.result.thenApply(o -> {
            outcomes.add(o);
            return o;
        });
    }

    /**
     * Like {@link #send} but, with no URL configured, completes at once with Mist's default: how the
     * simulated Mist's commands fire triggers.
     */
    public CompletableFuture<TriggerOutcome> sendIfEnabled(String trigger, List<String> payload, boolean blocking) {
        if (url == null) {
            return CompletableFuture.completedFuture(new TriggerOutcome(trigger, "", payload, blocking, List.of(),
                    "true", true, Duration.ZERO));
        }
        return send(trigger, payload, blocking);
    }

    private void attempt(TriggerCall call, List<String> results) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(attemptTimeout)
                .header("X-Trigger", call.trigger)
                .header("X-Trigger-UUID", call.uuid)
                .header("X-UUID", mistUuid)
                .header("X-Version", VERSION)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", call.payload)))
                .build();
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .orTimeout(attemptTimeout.toMillis() + 50, java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((response, error) -> {
                    if (error == null && response.statusCode() == 200) {
                        results.add("200");
                        call.finish(results, response.body(), false);
                        return;
                    }
                    results.add(error == null ? Integer.toString(response.statusCode()) : describe(error));
                    if (call.blocking && results.size() < attempts) {
                        attempt(call, results);
                    } else {
                        call.finish(results, "true", true);
                    }
                });
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof HttpTimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
            return "timeout";
        }
        return "error: " + cause.getClass().getSimpleName();
    }

    /** Mist's reading of a boolean answer: trimmed, lower-cased, starts with 1, yes, true or cont. */
    public static boolean parseBoolean(String answer) {
        String a = answer == null ? "" : answer.trim().toLowerCase(Locale.ROOT);
        return a.startsWith("1") || a.startsWith("yes") || a.startsWith("true") || a.startsWith("cont");
    }

    /** Outcomes recorded so far, in completion order. */
    public List<TriggerOutcome> outcomes() {
        return List.copyOf(outcomes);
    }

    public List<TriggerOutcome> outcomes(String trigger) {
        return outcomes.stream().filter(o -> o.trigger().equals(trigger)).toList();
    }

    /** Polls until at least {@code n} outcomes are recorded or the timeout passes. */
    public boolean awaitOutcomes(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (outcomes.size() < n) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    public void clear() {
        outcomes.clear();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** One trigger in flight across its attempts. */
    private static final class TriggerCall {
        final String trigger;
        final String uuid;
        final List<String> payload;
        final boolean blocking;
        final long startNanos;
        final CompletableFuture<TriggerOutcome> result = new CompletableFuture<>();

        TriggerCall(String trigger, String uuid, List<String> payload, boolean blocking, long startNanos) {
            this.trigger = trigger;
            this.uuid = uuid;
            this.payload = payload;
            this.blocking = blocking;
            this.startNanos = startNanos;
        }

        void finish(List<String> results, String response, boolean usedDefault) {
            result.complete(new TriggerOutcome(trigger, uuid, payload, blocking, List.copyOf(results), response,
                    usedDefault, Duration.ofNanos(System.nanoTime() - startNanos)));
        }
    }
}
