package io.mistguard.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fake catalyst-api trigger endpoint ({@code /api/mist/trigger}) for loopback tests, with one fault
 * at a time: {@link Behaviour#ANSWER} (200 and {@link #answer}), {@link Behaviour#HANG} (never
 * answers until closed), {@link Behaviour#SLOW} ({@link #delay} then the answer),
 * {@link Behaviour#STATUS_500} ({@code 500} with body {@code false}, which Mist ignores),
 * {@link Behaviour#SLOW_THEN_RECOVER} (the first {@link #slowCalls} calls slow, then fast); "refuses"
 * is {@link #refusedPort()}, where nothing listens.
 *
 * <p>Like catalyst-api, its {@code USER_NEW} handler takes the access-cache lock
 * ({@link #accessCache}): a test that holds the lock reproduces the incident of mist-api.md §6.
 * Records every request it got. Thread-safe; one thread per request, so a hang blocks no other.
 */
final class FakeCatalystApi implements AutoCloseable {

    enum Behaviour { ANSWER, HANG, SLOW, STATUS_500, SLOW_THEN_RECOVER }

    /** One request as it arrived. */
    record Received(String method, String uri, Map<String, List<String>> headers, String body, long atNanos) {
        String header(String name) {
            List<String> values = headers.get(name.substring(0, 1).toUpperCase() + name.substring(1).toLowerCase());
            return values == null ? null : values.get(0);
        }
    }

    final Queue<Received> received = new ConcurrentLinkedQueue<>();
    final ReentrantLock accessCache = new ReentrantLock(true);
    final AtomicInteger calls = new AtomicInteger();
    volatile Behaviour behaviour = Behaviour.ANSWER;
    volatile String answer = "true";
    volatile Duration delay = Duration.ofSeconds(2);
    volatile int slowCalls = 1;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-catalyst-api");
        t.setDaemon(true);
        return t;
    });
    private final HttpServer server;

    private FakeCatalystApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    static FakeCatalystApi start() throws IOException {
        return new FakeCatalystApi();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** A loopback port nothing listens on ({@link LoopbackPorts#free()}): connections are refused. */
    static int refusedPort() throws IOException {
        return LoopbackPorts.free();
    }

    private void handle(HttpExchange ex) throws IOException {
        int n = calls.incrementAndGet();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().toString(), Map.copyOf(ex.getRequestHeaders()),
                                  body, System.nanoTime()));
        try {
            boolean userNew = "USER_NEW".equals(ex.getRequestHeaders().getFirst("X-Trigger"));
            if (userNew) {
                accessCache.lockInterruptibly(); // catalyst-api's handler waits for its access cache
                accessCache.unlock();
            }
            switch (behaviour) {
                case HANG -> {
                    closing.await();
                    return;
                }
                case SLOW -> pause(delay);
                case SLOW_THEN_RECOVER -> {
                    if (n <= slowCalls) {
                        pause(delay);
                    }
                }
                case STATUS_500 -> {
                    reply(ex, 500, "false");
                    return;
                }
                default -> { }
            }
            reply(ex, 200, answer);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the caller (mistguard) gave up and closed the connection
        } finally {
            ex.close();
        }
    }

    private void pause(Duration d) throws InterruptedException {
        closing.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void reply(HttpExchange ex, int status, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        ex.getResponseBody().write(b);
    }

    /** Requests that carried {@code X-Trigger: trigger}. */
    List<Received> received(String trigger) {
        return received.stream().filter(r -> trigger.equals(r.header("X-Trigger"))).toList();
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
