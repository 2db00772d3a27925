package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies of tens of MiB under the image's 32 MiB of direct memory ({@code -XX:MaxDirectMemorySize=32m}),
 * within the configured limits. Regression: the HTTP decoders handed bodies on in 8 KiB pieces, so
 * the aggregator copied a body of more than 1 024 pieces (8 MiB) into one new direct buffer, again
 * as it grew, and the epoll transport copied a buffer of more than 1 024 pieces once more before
 * writing it: a 16 MiB reply from Mist came back as 502 {@code bad-response} ("Cannot reserve …
 * direct buffer memory"), under {@code upstream.max_response_bytes}' then default of 64 MiB.
 *
 * <p>And a body that does not fit at all: regression, an answer from Mist too large for direct memory
 * (but under the configured limit) was 502 {@code bad-response}, counted against Mist by its
 * breaker, which opened and refused every later call on the route; a caller's request body too large
 * for it was met with a silent close after {@code 100 Continue}. Both are now 503
 * {@code out-of-memory}, the breaker stays closed, and mistguard warns at start that the limits
 * exceed what its direct memory holds. Runs the packaged jar in a JVM of its own with the image's
 * memory flags, in front of a plain JDK HTTP server.
 */
class LargeBodyDirectMemoryRegressionIT {

    private static final int REPLY_BYTES = 24 << 20;
    private static final int REQUEST_BYTES = 20 << 20;
    /** Under the limits configured below, over what 32 MiB of direct memory can hold. */
    private static final int UNHOLDABLE_BYTES = 40 << 20;

    /** A body sent in chunks of {@link #SMALL_CHUNK} bytes, more than 1 024 of them. */
    private static final int SMALL_CHUNKED_BYTES = 16 << 20;
    private static final int SMALL_CHUNK = 1024;

    private final byte[] reply = pattern(REPLY_BYTES, 7);
    private final byte[] smallChunked = pattern(SMALL_CHUNKED_BYTES, 5);
    private final byte[] huge = new byte[UNHOLDABLE_BYTES];
    private HttpServer upstream;
    private volatile int requestBytesSeen = -1;
    private Process mistguard;
    private String proxy;
    private Path config;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                requestBytesSeen = in.readAllBytes().length;
            }
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/small-chunks")) {
                exchange.sendResponseHeaders(200, 0); // chunked: one chunk per flush
                for (int at = 0; at < SMALL_CHUNKED_BYTES; at += SMALL_CHUNK) {
                    exchange.getResponseBody().write(smallChunked, at, SMALL_CHUNK);
                    exchange.getResponseBody().flush();
                }
                exchange.close();
                return;
            }
            byte[] body = path.equals("/big") ? reply : path.equals("/huge") ? huge : "ok".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        int listen = LoopbackPorts.freeRun(2);
        int admin = listen + 1;
        config = Files.writeString(dir.resolve("mistguard.yaml"), """
                listen: 127.0.0.1:%d
                upstream:
                  url: http://127.0.0.1:%d
                  max_response_bytes: 64MiB
                admin:
                  listen: 127.0.0.1:%d
                limits:
                  max_body_bytes: 64MiB
                breakers:
                  mist: {failure_rate: 50, window_calls: 2, minimum_calls: 2, open_duration: 60s, half_open_trials: 1}
                routes:
                  - {name: huge, match: {path: /huge}, kind: read, timeout: 30s, breaker: mist, admission: none,
                     retry: {attempts: 1}}
                  - {name: catch-all, match: {}, kind: passthrough, timeout: 30s, breaker: mist, admission: none}
                """.formatted(listen, upstream.getAddress().getPort(), admin));
        mistguard = new ProcessBuilder(PackagedJar.command(config)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mistguard.log").toFile()).start();
        HttpClient client = HttpClient.newHttpClient();
        URI health = URI.create("http://127.0.0.1:" + admin + "/healthz");
        Await.until("mistguard ready", () -> mistguard.isAlive() && PackagedJar.status(client, health) == 200);
        proxy = "http://127.0.0.1:" + listen;
    }

    @AfterEach
    void stop() throws Exception {
        ChildProcesses.stop(mistguard);
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void aReplyOfTwentyFourMibReachesTheCallerWhole() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 3; i++) { // the buffers of one are back before the next
            HttpResponse<byte[]> answer = client.send(HttpRequest.newBuilder(URI.create(proxy + "/big"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(answer.statusCode()).as("%s", log()).isEqualTo(200);
            assertThat(Arrays.equals(answer.body(), reply)).as("the reply's bytes, as Mist sent them").isTrue();
        }
    }

    /**
     * Regression: a body in small pieces was gathered in a composite buffer that, at 1 024 pieces,
     * copied them all into one new buffer, and again every 1 024 pieces as the body grew: twice the
     * body's size in direct memory at the end. A 16 MiB answer in 1 KiB chunks ran short where the
     * same answer in large pieces did not.
     */
    @Test
    void anAnswerInSmallChunksIsNotCopiedWholeAsItGrowsRegression() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> answer = client.send(HttpRequest.newBuilder(URI.create(proxy + "/small-chunks"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(answer.statusCode()).as("%s", log()).isEqualTo(200);
            assertThat(Arrays.equals(answer.body(), smallChunked)).as("the reply's bytes, as Mist sent them").isTrue();
        }
    }

    /** As {@link #anAnswerInSmallChunksIsNotCopiedWholeAsItGrowsRegression}, for a caller's chunked body. */
    @Test
    void aRequestBodyInSmallChunksIsNotCopiedWholeAsItGrowsRegression() throws Exception {
        for (int i = 0; i < 3; i++) {
            requestBytesSeen = -1;
            URI target = URI.create(proxy);
            try (Socket socket = new Socket(target.getHost(), target.getPort())) {
                socket.setSoTimeout(30_000);
                OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
                out.write(("POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                           + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] chunkHead = (Integer.toHexString(SMALL_CHUNK) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
                for (int at = 0; at < SMALL_CHUNKED_BYTES; at += SMALL_CHUNK) {
                    out.write(chunkHead);
                    out.write(smallChunked, at, SMALL_CHUNK);
                    out.write(crlf);
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String statusLine = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertThat(statusLine).as("%s", log()).isEqualTo("HTTP/1.1 200");
            }
            assertThat(requestBytesSeen).isEqualTo(SMALL_CHUNKED_BYTES);
        }
    }

    @Test
    void aRequestBodyOfTwentyMibReachesMistWhole() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(proxy + "/upload"))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(pattern(REQUEST_BYTES, 3))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("%s", log()).isEqualTo(200);
        assertThat(requestBytesSeen).isEqualTo(REQUEST_BYTES);
    }

    @Test
    void anAnswerTooLargeForDirectMemoryIs503OutOfMemoryAndNotCountedAgainstMistRegression() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 3; i++) { // more than the breaker's window: three failures would open it
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(proxy + "/huge"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as("%s", log()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Mistguard-Decision"))
                    .hasValue("rejected; reason=out-of-memory");
        }
        HttpResponse<String> small = client.send(HttpRequest.newBuilder(URI.create(proxy + "/small"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(small.statusCode()).as("the breaker stayed closed: %s", log()).isEqualTo(200);
        assertThat(small.body()).isEqualTo("ok");
        HttpResponse<byte[]> big = client.send(HttpRequest.newBuilder(URI.create(proxy + "/big"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(big.statusCode()).as("the memory was given back").isEqualTo(200);
        assertThat(Arrays.equals(big.body(), reply)).isTrue();
    }

    @Test
    void aRequestBodyTooLargeForDirectMemoryIs503OutOfMemoryRegression() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(proxy + "/upload"))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[UNHOLDABLE_BYTES])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("%s", log()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Mistguard-Decision")).hasValue("rejected; reason=out-of-memory");
        HttpResponse<String> small = client.send(HttpRequest.newBuilder(URI.create(proxy + "/small"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(small.statusCode()).as("still serving: %s", log()).isEqualTo(200);
    }

    @Test
    void limitsOverWhatDirectMemoryHoldsAreWarnedOfAtStartAndByCheckConfig() throws Exception {
        assertThat(log()).contains("mistguard: warning: upstream.max_response_bytes is 64 MiB, but this JVM's "
                                   + "direct memory (-XX:MaxDirectMemorySize) is 32 MiB")
                .contains("mistguard: warning: limits.max_body_bytes is 64 MiB");

        Process check = new ProcessBuilder(PackagedJar.java(), "-XX:MaxDirectMemorySize=32m", "-jar", PackagedJar.JAR.toString(),
                "check-config", config.toString()).redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes());
        assertThat(check.waitFor()).as("a warning, not a failure: %s", out).isZero();
        assertThat(out).contains(config + ": warning: upstream.max_response_bytes is 64 MiB")
                .contains(config + ": warning: limits.max_body_bytes is 64 MiB")
                .contains(config + ": OK, 2 routes");
    }


    private String log() {
        try {
            return Files.readString(dir.resolve("mistguard.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }


    private static byte[] pattern(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + seed + (i >>> 12));
        }
        return bytes;
    }
}
