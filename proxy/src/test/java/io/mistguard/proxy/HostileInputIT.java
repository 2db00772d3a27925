package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.junit.SimMistExtension;
import io.mistguard.sim.record.RecordedRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input over real sockets to a real mistguard in front of sim-mist (issue #14, item 1). Each
 * invalid request gets a precise 4xx and a closed connection and never reaches Mist (sim-mist records
 * every request it gets); a well-behaved GetState poller on its own keep-alive connection sees no
 * error and no stall throughout ({@link Poller}, checked after every test). Limits are the shipped
 * defaults except the connection cap and the request-read timeouts, made small so that the tests
 * are quick.
 */
class HostileInputIT {

    private static final int MAX_CONNECTIONS = 24;

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.withDefaults();

    private static TestProxy proxy;
    private static Poller poller;
    private long pollsBefore;

    @BeforeAll
    static void start() throws Exception {
        proxy = PolicyProxies.start("limits: {max_connections: " + MAX_CONNECTIONS
                + ", header_read_timeout: 1s, body_read_timeout: 1s}\n", MIST.get().port());
        poller = Poller.start(port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (poller != null) {
            poller.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @BeforeEach
    void rememberPolls() {
        pollsBefore = poller.polls();
    }

    /** The well-behaved caller was served throughout the test: no error, no stall, and it got answers. */
    @AfterEach
    void pollerWasServedThroughout() throws Exception {
        Await.until("the poller polls on", () -> poller.polls() > pollsBefore + 1);
        assertThat(poller.takeErrors()).as("the concurrent poller's errors during this test").isEmpty();
    }

    private static int port() {
        return proxy.mistguard.proxyAddress().getPort();
    }

    /** What reached sim-mist other than the poller's GetState. */
    private static List<RecordedRequest> reachedMist() {
        return MIST.get().recording().requests().stream()
                .filter(r -> !r.headers().containsKey(Poller.MARK)).toList();
    }

    static Stream<Arguments> refused() {
        String post = "POST /api2 HTTP/1.1\r\nHost: mist\r\n";
        String form = post + "Content-Type: application/x-www-form-urlencoded\r\n";
        String chunked = post + "Transfer-Encoding: chunked\r\n\r\n";
        return Stream.of(
                // request smuggling
                args("Content-Length with Transfer-Encoding", post + "Content-Length: 5\r\nTransfer-Encoding: chunked"
                        + "\r\n\r\n0\r\n\r\n", 400, "bad-request"),
                args("Transfer-Encoding: xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                        400, "bad-request"),
                args("Transfer-Encoding: xchunked with a length", post + "Content-Length: 5\r\n"
                        + "Transfer-Encoding: xchunked\r\n\r\nhello", 400, "bad-request"),
                args("Transfer-Encoding: chunked, identity", post + "Transfer-Encoding: chunked, identity\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n", 400, "bad-request"),
                args("Transfer-Encoding: identity, chunked", post + "Transfer-Encoding: identity, chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n", 400, "bad-request"),
                args("a tab before the Transfer-Encoding value, with a length", post + "Content-Length: 5\r\n"
                        + "Transfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n", 400, "bad-request"),
                args("Transfer-Encoding twice", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n", 400, "bad-request"),
                args("chunked twice in one Transfer-Encoding", post + "Transfer-Encoding: chunked, chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n", 400, "bad-request"),
                args("a space before the Transfer-Encoding name", post + " Transfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n", 400, "bad-request"),
                args("Transfer-Encoding in HTTP/1.0", "POST /api2 HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n", 400, "bad-request"),
                args("conflicting Content-Lengths", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                        400, "bad-request"),
                args("conflicting Content-Lengths in one field", post + "Content-Length: 5, 6\r\n\r\nhello!",
                        400, "bad-request"),
                args("a signed Content-Length", post + "Content-Length: +5\r\n\r\nhello", 400, "bad-request"),
                args("a negative Content-Length", post + "Content-Length: -1\r\n\r\n", 400, "bad-request"),
                args("chunk-size overflow", chunked + "fffffffffffffffff\r\nhello\r\n0\r\n\r\n", 400, "bad-request"),
                args("chunk-size just over int", chunked + "80000000\r\nhello\r\n0\r\n\r\n", 400, "bad-request"),
                args("a bare LF ending the request line", "GET /koekjes.json HTTP/1.1\nHost: mist\r\n\r\n",
                        400, "bad-request"),
                args("bare LF line endings throughout", "GET /koekjes.json HTTP/1.1\nHost: mist\n\n",
                        400, "bad-request"),
                args("a bare LF ending a chunk size", chunked + "5\nhello\r\n0\r\n\r\n", 400, "bad-request"),
                args("a bare CR in the head", "GET /koekjes.json HTTP/1.1\rHost: mist\r\n\r\n", 400, "bad-request"),
                // the decoder splits the line at a bare CR too: what follows it is not a version
                args("a bare CR inside the request target", "GET /koekjes\r.json HTTP/1.1\r\nHost: mist\r\n\r\n",
                        400, "bad-request"),
                args("a control character in a chunk extension", chunked + "5;a\u0001b\r\nhello\r\n0\r\n\r\n",
                        400, "bad-request"),
                args("an unterminated quoted chunk extension", chunked + "5;a=\"b\r\nhello\r\n0\r\n\r\n",
                        400, "bad-request"),
                args("a bare CR in a chunk extension", chunked + "5;a\rb\r\nhello\r\n0\r\n\r\n", 400, "bad-request"),
                // oversized
                args("an oversized request line", "GET /" + "a".repeat(9 << 10) + " HTTP/1.1\r\nHost: mist\r\n\r\n",
                        414, "uri-too-long"),
                args("oversized headers", "GET / HTTP/1.1\r\nHost: mist\r\n"
                        + ("X-Pad: " + "p".repeat(1000) + "\r\n").repeat(20) + "\r\n", 431, "header-too-large"),
                args("an oversized body by length", post + "Content-Length: " + (2 << 20) + "\r\n\r\nxx",
                        413, "body-too-large"),
                args("an oversized chunked body", chunked + ("10000\r\n" + "c".repeat(0x10000) + "\r\n").repeat(17)
                        + "0\r\n\r\n", 413, "body-too-large"),
                args("an unsupported expectation", post + "Expect: 100-continud\r\nContent-Length: 4\r\n\r\n{}{}",
                        417, "expectation-failed"),
                // methods and request targets
                args("an invalid method", "G(T / HTTP/1.1\r\nHost: mist\r\n\r\n", 400, "bad-request"),
                args("a control character in the method", "GE\u0001T / HTTP/1.1\r\nHost: mist\r\n\r\n",
                        400, "bad-request"),
                // absolute-form is accepted (RFC 9112 §3.2.2) and rewritten: ProxyPipelineTest
                args("authority-form", "GET mist:4242 HTTP/1.1\r\nHost: mist\r\n\r\n", 400, "bad-request"),
                args("asterisk-form", "GET * HTTP/1.1\r\nHost: mist\r\n\r\n", 400, "bad-request"),
                args("CONNECT", "CONNECT 127.0.0.1:4242 HTTP/1.1\r\nHost: 127.0.0.1:4242\r\n\r\n",
                        405, "method-not-allowed"),
                args("TRACE", "TRACE / HTTP/1.1\r\nHost: mist\r\n\r\n", 405, "method-not-allowed"),
                args("TRACE with a body", "TRACE /api2 HTTP/1.1\r\nHost: mist\r\nContent-Length: 2\r\n\r\n{}",
                        405, "method-not-allowed"),
                // header syntax
                args("a space in a header name", "GET / HTTP/1.1\r\nHost: mist\r\nX Foo: bar\r\n\r\n",
                        400, "bad-request"),
                args("a space before a header's colon", "GET / HTTP/1.1\r\nHost : mist\r\n\r\n", 400, "bad-request"),
                args("obs-fold", "GET /koekjes.json HTTP/1.1\r\nHost: mist\r\nX-A: b\r\n c\r\n\r\n",
                        400, "bad-request"),
                args("obs-fold with a tab", "GET /koekjes.json HTTP/1.1\r\nHost: mist\r\nX-A: b\r\n\tc\r\n\r\n",
                        400, "bad-request"),
                args("obs-fold hiding Transfer-Encoding", post + "Transfer-Encoding:\r\n chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n", 400, "bad-request"),
                args("obs-fold of Content-Length", post + "Content-Length:\r\n 5\r\n\r\nhello", 400, "bad-request"),
                // commands Mist and mistguard might read differently
                args("invalid percent-encoding in a form command", form + formBody("command=%7B%22push_list%22%3A"
                        + "true%7D%G1"), 400, "bad-command"),
                args("a truncated percent-escape in a form command", form + formBody("command=%7B%22push_list%22%3A"
                        + "true%7D%"), 400, "bad-command"),
                args("invalid percent-encoding in a query command", "GET /api2?command=%7B%22push_list%22%3Atrue%7D%zz"
                        + " HTTP/1.1\r\nHost: mist\r\n\r\n", 400, "bad-command"),
                args("invalid UTF-8 in a form command", form + formBody("command=%7B%22push_list%22%3A%22%FF%FE%22"
                        + "%7D"), 400, "bad-command"),
                args("an overlong UTF-8 slash in a form command", form + formBody("command=%7B%22nuke_stream%22%3A"
                        + "%22a%C0%AFb%22%7D"), 400, "bad-command"),
                args("invalid UTF-8 in a JSON body", post + "Content-Type: application/json\r\n"
                        + contentLength("{\"push_list\":\"\u00ff\u00fe\u00fd\"}"), 400, "bad-command"),
                args("binary in a JSON body", post + "Content-Type: application/json\r\nContent-Length: 8\r\n\r\n"
                        + "\u0000\u0001\u0002\u00ff\u0080\u0000{}", 400, "bad-command"),
                args("a JSON command nested 10,000 deep", post + "Content-Type: application/json\r\n"
                        + contentLength("{\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}"),
                        400, "bad-command"),
                args("a form command nested 10,000 deep", form + formBody("command=%7B%22x%22%3A"
                        + "%5B".repeat(10_000) + "%5D".repeat(10_000) + "%7D"), 400, "bad-command"),
                args("a command key hidden behind nesting", post + "Content-Type: application/json\r\n"
                        + contentLength("{\"authorize\":{\"username\":\"u\",\"password\":\"p\"},\"x\":"
                        + "[".repeat(2_000) + "]".repeat(2_000) + "}"), 400, "bad-command"));
    }

    private static Arguments args(String name, String raw, int status, String reason) {
        return Arguments.of(name, raw, status, reason);
    }

    private static String formBody(String body) {
        return "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static String contentLength(String body) {
        return "Content-Length: " + body.getBytes(StandardCharsets.ISO_8859_1).length + "\r\n\r\n" + body;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void invalidRequestIsRefusedPreciselyClosedAndNeverReachesMist(String name, String raw, int status, String reason)
            throws Exception {
        try (RawHttpConnection client = new RawHttpConnection(port())) {
            client.send(raw);
            RawHttpConnection.Response answer = client.read();
            assertThat(answer.status()).as(name).isEqualTo(status);
            assertThat(answer.header("mistguard-decision")).isEqualTo("rejected; reason=" + reason);
            assertThat(answer.header("connection")).isEqualTo("close");
            assertThat(answer.body()).startsWith("mistguard: " + status);
            if (status == 405) {
                assertThat(answer.header("allow")).doesNotContain("CONNECT").doesNotContain("TRACE").contains("POST");
            }
            assertThat(closedByServer(client)).as("closed after the refusal").isTrue();
        }
        assertThat(reachedMist()).as("requests that reached Mist").isEmpty();
    }

    /** Closed, or reset: a server that closes while the client is still sending may reset. */
    private static boolean closedByServer(RawHttpConnection client) throws IOException {
        try {
            return client.closedByServer();
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    @Test
    void slowlorisHeadersAreCutByTheHeaderReadTimeout() throws Exception {
        try (RawHttpConnection client = new RawHttpConnection(port())) {
            client.send("GET /koekjes.json HTTP/1.1\r\nHost: mist\r\nX-Slow: ");
            long started = System.nanoTime();
            RawHttpConnection.Response answer = null;
            for (int i = 0; i < 50 && answer == null; i++) {
                Thread.sleep(100);
                try {
                    client.send("a");
                } catch (IOException closed) {
                    break; // the server closed while we trickled: read what it said
                }
                if (client.available() > 0) {
                    answer = client.read();
                }
            }
            if (answer == null) {
                answer = client.read();
            }
            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.header("mistguard-decision")).isEqualTo("rejected; reason=request-timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("cut near the 1 s header timeout, not at "
                    + "the 60 s idle timeout").isLessThan(Duration.ofSeconds(4));
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(reachedMist()).isEmpty();
    }

    @Test
    void slowBodyIsCutByTheBodyReadTimeout() throws Exception {
        try (RawHttpConnection client = new RawHttpConnection(port())) {
            client.send("POST /api2 HTTP/1.1\r\nHost: mist\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 100\r\n\r\ncommand=");
            long started = System.nanoTime();
            RawHttpConnection.Response answer = null;
            for (int i = 0; i < 50 && answer == null; i++) {
                Thread.sleep(100);
                try {
                    client.send("%");
                } catch (IOException closed) {
                    break;
                }
                if (client.available() > 0) {
                    answer = client.read();
                }
            }
            if (answer == null) {
                answer = client.read();
            }
            assertThat(answer.status()).isEqualTo(408);
            assertThat(answer.header("mistguard-decision")).isEqualTo("rejected; reason=request-timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(reachedMist()).isEmpty();
    }

    @Test
    void aRequestSplitAcrossPacketsWithinTheTimeoutsIsServed() throws Exception {
        String request = RawHttpConnection.formCommand("/api2", "{\"push_list\":true}");
        try (RawHttpConnection client = new RawHttpConnection(port())) {
            for (int i = 0; i < request.length(); i += 40) {
                client.send(request.substring(i, Math.min(request.length(), i + 40)));
                Thread.sleep(20);
            }
            RawHttpConnection.Response answer = client.read();
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).contains("push_list");
            // and the keep-alive connection then waits for its next request well past the header timeout
            Thread.sleep(1_500);
            assertThat(client.exchange(RawHttpConnection.formCommand("/api2", "{\"push_list\":true}")).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void idleConnectionsUpToTheCapAreHeldAndOneMoreGets503AndIsClosed() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            // Earlier tests' connections may still be closing: until they are, some of the idle
            // connections below would be the ones turned away, and the one over the cap admitted.
            Await.until("only the poller's connection is open", () -> openConnections() == 1);
            // The poller holds one connection; fill the rest with connections that never send a byte.
            for (int i = 0; i < MAX_CONNECTIONS - 1; i++) {
                Socket socket = new Socket();
                socket.connect(new InetSocketAddress("127.0.0.1", port()), 5_000);
                idle.add(socket);
            }
            Await.until("the listener holds every idle connection", () -> openConnections() == MAX_CONNECTIONS);
            try (RawHttpConnection over = new RawHttpConnection(port())) {
                RawHttpConnection.Response answer = over.read();
                assertThat(answer.status()).isEqualTo(503);
                assertThat(answer.header("retry-after")).isEqualTo("1");
                assertThat(answer.header("mistguard-decision")).isEqualTo("rejected; reason=too-many-connections");
                assertThat(over.closedByServer()).isTrue();
            }
            assertThat(openConnections()).as("the connection turned away is not counted").isEqualTo(MAX_CONNECTIONS);
            // the idle ones were not cut by the header timeout: they sent nothing yet
            Thread.sleep(1_200);
            for (Socket socket : idle) {
                socket.setSoTimeout(50);
                assertThat(readsNothingYet(socket)).isTrue();
            }
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
        Await.until("a connection is admitted again", () -> {
            try (RawHttpConnection again = new RawHttpConnection(port())) {
                return again.exchange("GET /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n").status() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** The listener's {@code mistguard_listener_connections_open}, as scraped. */
    private static int openConnections() {
        java.util.regex.Matcher gauge = java.util.regex.Pattern
                .compile("(?m)^mistguard_listener_connections_open (\\S+)$").matcher(proxy.mistguard.scrape());
        assertThat(gauge.find()).as("mistguard_listener_connections_open in the scrape").isTrue();
        return (int) Double.parseDouble(gauge.group(1));
    }

    private static boolean readsNothingYet(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() >= 0 && false;
        } catch (java.net.SocketTimeoutException nothing) {
            return true;
        }
    }

    @Test
    void aMebibyteCommandWithAHundredThousandKeysIsParsedInBoundedTime() throws Exception {
        StringBuilder json = new StringBuilder(1 << 20).append('{');
        for (int i = 0; i < 100_000; i++) {
            json.append(i == 0 ? "" : ",").append("\"k").append(Integer.toString(i, 36)).append("\":1");
        }
        String body = json.append('}').toString();
        assertThat(body.length()).isLessThanOrEqualTo(1 << 20);
        long started = System.nanoTime();
        try (RawHttpConnection client = new RawHttpConnection(port())) {
            RawHttpConnection.Response answer = client.exchange("POST /api2 HTTP/1.1\r\nHost: mist\r\n"
                    + "Content-Type: application/json\r\n" + contentLength(body));
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.header("mistguard-route")).isEqualTo("catch-all");
        }
        // A sanity bound, far above the tens of milliseconds it takes: catches quadratic parsing only.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(reachedMist()).hasSize(1);
    }

    /**
     * Regression: the form-variable reader searched for {@code =} from each variable to the end of
     * the body, so a 1 MiB body of {@code a&a&…} without any {@code =} cost ~half a million full scans
     * on the event loop, stalling every other caller of that loop.
     */
    @Test
    void formVariablesWithoutValuesAreReadInLinearTime() throws Exception {
        String body = "a&".repeat((1 << 20) / 2 - 8);
        long started = System.nanoTime();
        try (RawHttpConnection client = new RawHttpConnection(port())) {
            RawHttpConnection.Response answer = client.exchange("POST /api2 HTTP/1.1\r\nHost: mist\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\n" + contentLength(body));
            assertThat(answer.status()).isEqualTo(200);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aHostOfAnotherAuthorityIsForwardedToMistOnlyAndNeverServedToAnotherCaller() throws Exception {
        try (RawHttpConnection evil = new RawHttpConnection(port());
             RawHttpConnection honest = new RawHttpConnection(port())) {
            RawHttpConnection.Response first = evil.exchange(
                    "GET /koekjes.json HTTP/1.1\r\nHost: evil.example:666\r\n\r\n");
            assertThat(first.status()).isEqualTo(200);
            RawHttpConnection.Response second = honest.exchange("GET /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.header("host")).as("Mist echoes Host: another caller's must not be served")
                    .isEqualTo("mist");
        }
        assertThat(reachedMist()).extracting(r -> r.headers().get("host")).contains("evil.example:666");
    }

    @Test
    void theAdminApiCannotBeReachedThroughTheProxyPort() throws Exception {
        int adminPort = proxy.mistguard.adminAddress().getPort();
        for (String path : List.of("/admin/breakers/mist/open", "/admin/reload", "/admin/breakers", "/metrics",
                "/%61dmin/breakers", "/admin/../admin/breakers")) {
            try (RawHttpConnection client = new RawHttpConnection(port())) {
                RawHttpConnection.Response answer = client.exchange("POST " + path + " HTTP/1.1\r\n"
                        + "Host: 127.0.0.1:" + adminPort + "\r\nContent-Length: 0\r\n\r\n");
                assertThat(answer.header("mistguard-decision")).as(path).isEqualTo("proxied");
                assertThat(answer.body()).as(path).doesNotContain("\"breakers\"").doesNotContain("mistguard_");
            }
        }
        assertThat(proxy.http.send(java.net.http.HttpRequest.newBuilder(proxy.adminUri("/admin/breakers")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body())
                .as("no breaker was forced open").contains("\"state\" : \"closed\"").contains("\"forced\" : \"none\"");
    }

    /**
     * A GetState caller on one keep-alive connection, as catalyst-api's load balancer polls: records
     * every error, and every answer slower than a caller would tolerate (its 4.5 s budget, less a
     * margin), while the hostile tests run.
     */
    static final class Poller implements AutoCloseable {

        static final String MARK = "x-test-poller";
        private static final Duration STALL = Duration.ofSeconds(3);

        private final RawHttpConnection connection;
        private final Thread thread;
        private final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        private final java.util.concurrent.atomic.AtomicLong polls = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean stopped;

        private Poller(RawHttpConnection connection) {
            this.connection = connection;
            this.thread = new Thread(this::run, "hostile-input-poller");
            thread.setDaemon(true);
        }

        static Poller start(int port) throws IOException {
            Poller poller = new Poller(new RawHttpConnection(port));
            poller.thread.start();
            return poller;
        }

        private void run() {
            String request = RawHttpConnection.formCommand("/api2", MistCommands.GET_STATE, MARK + ": 1");
            while (!stopped) {
                long started = System.nanoTime();
                try {
                    RawHttpConnection.Response answer = connection.exchange(request);
                    Duration took = Duration.ofNanos(System.nanoTime() - started);
                    if (answer.status() != 200 || !answer.body().contains("active_streams")) {
                        errors.add("status " + answer.status() + ": " + answer.body());
                    } else if (took.compareTo(STALL) > 0) {
                        errors.add("answered after " + took.toMillis() + " ms");
                    }
                    polls.incrementAndGet();
                    Thread.sleep(20);
                } catch (IOException e) {
                    if (!stopped) {
                        errors.add(e.toString());
                    }
                    return;
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long polls() {
            return polls.get();
        }

        /** The errors seen since the last call. */
        List<String> takeErrors() {
            synchronized (errors) {
                List<String> seen = List.copyOf(errors);
                errors.clear();
                return seen;
            }
        }

        @Override
        public void close() throws Exception {
            stopped = true;
            connection.close();
            thread.join(5_000);
        }
    }
}
