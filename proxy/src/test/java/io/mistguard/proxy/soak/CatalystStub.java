package io.mistguard.proxy.soak;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * catalyst-api's trigger endpoint for the soak's trigger listener, with chaos of its own: every few
 * seconds a seeded draw picks how it answers for a while — at once ({@code true}), slowly (0.2–1.5 s),
 * {@code 500}, or not for 5 s (past every trigger's budget). Counts what it got. One thread per
 * request, so a slow answer holds no other; thread-safe.
 */
final class CatalystStub implements AutoCloseable {

    enum Mood { ANSWER, SLOW, STATUS_500, HANG }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "soak-catalyst-api");
        t.setDaemon(true);
        return t;
    });
    private final Thread moods;
    private final Tally tally;
    private volatile Mood mood = Mood.ANSWER;
    private volatile boolean calm;

    CatalystStub(long seed, Tally tally) throws IOException {
        this.tally = tally;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        server.createContext("/api/mist/trigger", this::handle);
        server.setExecutor(threads);
        server.start();
        SplittableRandom random = new SplittableRandom(seed);
        moods = new Thread(() -> swing(random), "soak-catalyst-moods");
        moods.setDaemon(true);
        moods.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** While calm, it always answers at once; otherwise its seeded moods apply. */
    void calm(boolean on) {
        calm = on;
    }

    private void swing(SplittableRandom random) {
        try {
            while (true) {
                int draw = random.nextInt(100);
                mood = draw < 55 ? Mood.ANSWER : draw < 75 ? Mood.SLOW : draw < 88 ? Mood.STATUS_500 : Mood.HANG;
                Thread.sleep(2_000 + random.nextInt(6_000));
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            Mood now = calm ? Mood.ANSWER : mood;
            tally.add("catalyst-api/" + now);
            switch (now) {
                case SLOW -> pause(200 + (long) (Math.random() * 1_300));
                case HANG -> pause(5_000);
                default -> {
                }
            }
            int status = now == Mood.STATUS_500 ? 500 : 200;
            byte[] body = (status == 200 ? "true" : "false").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        } catch (IOException e) {
            // mistguard gave up on this call first: what a timeout looks like from here
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        moods.interrupt();
        server.stop(0);
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
    }
}
