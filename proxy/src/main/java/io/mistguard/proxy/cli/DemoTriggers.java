package io.mistguard.proxy.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mistguard.proxy.Mistguard;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.TriggerFallback;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.config.TriggersConfig;
import java.time.Duration;
import java.util.List;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The trigger part of {@code --demo}: a stand-in catalyst-api on an ephemeral loopback port that
 * answers every trigger {@code 200 true}, or hangs after {@code POST /hang} until
 * {@code POST /recover}; and a trigger listener in front of it (an ephemeral port unless the config
 * names one; then {@code USER_NEW}'s timeout is 750 ms). Prints how to send Mist's {@code USER_NEW}
 * through mistguard and watch it decided within that timeout while the stand-in hangs. Kept apart from {@link DemoUpstream}. Its
 * handler threads are daemons; {@link #close} releases any that hang.
 */
final class DemoTriggers implements AutoCloseable {

    private static final Duration DEMO_TIMEOUT = Duration.ofMillis(750);

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "demo-catalyst-api");
        t.setDaemon(true);
        return t;
    });
    private volatile CountDownLatch hang;

    private DemoTriggers() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    static DemoTriggers start() {
        try {
            return new DemoTriggers();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code config} with a trigger listener in front of this stand-in catalyst-api. */
    ProxyConfig apply(ProxyConfig config) {
        TriggersConfig t = config.triggers();
        if (!t.enabled()) {
            // USER_NEW a little under its 1 s default, so the demo shows a decision within a second.
            t = TriggersConfig.defaults().withListen(new HostPort("127.0.0.1", 0)).withPolicy("USER_NEW",
                    new TriggerPolicy(true, DEMO_TIMEOUT, TriggerFallback.LAST_KNOWN, TriggerFallback.ALLOW,
                                      Duration.ofMinutes(10), List.of(0, 5)));
        }
        return config.withTriggers(t.withUpstream(new TriggersConfig.Upstream("127.0.0.1",
                server.getAddress().getPort(), TriggersConfig.Upstream.CATALYST.path())));
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/hang")) {
                hang = new CountDownLatch(1);
                reply(ex, "catalyst-api (demo) now hangs on every trigger\n");
                return;
            }
            if (path.equals("/recover")) {
                CountDownLatch h = hang;
                hang = null;
                if (h != null) {
                    h.countDown();
                }
                reply(ex, "catalyst-api (demo) answers again\n");
                return;
            }
            ex.getRequestBody().readAllBytes();
            CountDownLatch h = hang;
            if (h != null) {
                h.await(); // released by /recover or close()
            }
            reply(ex, "true");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reply(HttpExchange ex, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
    }

    void printWelcome(PrintWriter out, Mistguard mistguard) {
        if (mistguard.triggerAddress() == null) {
            return;
        }
        String catalyst = "http://127.0.0.1:" + server.getAddress().getPort();
        String triggers = "http://127.0.0.1:" + mistguard.triggerAddress().getPort() + "/api/mist/trigger";
        out.println("Triggers (Mist -> catalyst-api): mistguard's trigger listener " + triggers);
        out.println("forwards to a stand-in catalyst-api on " + catalyst + ". Send Mist's USER_NEW through it,");
        out.println("make catalyst-api hang, and send it again: decided within USER_NEW's timeout, not Mist's 25 s:");
        out.println("  curl -si " + triggers + " -H 'X-Trigger: USER_NEW' -H 'X-Trigger-UUID: demo-1' \\");
        out.println("       --data-binary $'video+stream0\\n127.0.0.1\\n1\\nHLS\\nhttp://demo/\\nsess-1'");
        out.println("  curl -s -XPOST " + catalyst + "/hang");
        out.println("  time curl -si " + triggers + " -H 'X-Trigger: USER_NEW' -H 'X-Trigger-UUID: demo-2' \\");
        out.println("       --data-binary $'video+stream0\\n127.0.0.1\\n2\\nHLS\\nhttp://demo/\\nsess-1'");
        out.println("  # -> 200 true, Mistguard-Decision: last-known; reason=timeout (a new sess-N: fallback, allow)");
        out.println("  curl -s -XPOST " + catalyst + "/recover");
        out.println();
        out.flush();
    }

    @Override
    public void close() {
        CountDownLatch h = hang;
        if (h != null) {
            h.countDown();
        }
        server.stop(0);
        threads.shutdownNow();
    }
}
