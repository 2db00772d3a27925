package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * direct buffer memory"), under {@code upstream.max_response_bytes}' 64 MiB. Runs the packaged jar
 * in a JVM of its own with the image's memory flags, in front of a plain JDK HTTP server.
 */
class LargeBodyDirectMemoryRegressionIT {

    private static final Path JAR = Path.of("target", "mistguard.jar");
    private static final int REPLY_BYTES = 24 << 20;
    private static final int REQUEST_BYTES = 20 << 20;

    private final byte[] reply = pattern(REPLY_BYTES, 7);
    private HttpServer upstream;
    private volatile int requestBytesSeen = -1;
    private Process mistguard;
    private String proxy;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                requestBytesSeen = in.readAllBytes().length;
            }
            boolean big = exchange.getRequestURI().getPath().equals("/big");
            byte[] body = big ? reply : "ok".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        int listen = LoopbackPorts.freeRun(2);
        int admin = listen + 1;
        Path config = Files.writeString(dir.resolve("mistguard.yaml"), """
                listen: 127.0.0.1:%d
                upstream:
                  url: http://127.0.0.1:%d
                admin:
                  listen: 127.0.0.1:%d
                limits:
                  max_body_bytes: 32MiB
                """.formatted(listen, upstream.getAddress().getPort(), admin));
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xms8m", "-Xmx128m", "-XX:MaxNewSize=16m", "-XX:MinHeapFreeRatio=20",
                "-XX:MaxDirectMemorySize=32m", "-XX:+ExitOnOutOfMemoryError",
                "-jar", JAR.toString(), "--config", config.toString());
        mistguard = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mistguard.log").toFile()).start();
        HttpClient client = HttpClient.newHttpClient();
        URI health = URI.create("http://127.0.0.1:" + admin + "/healthz");
        Await.until("mistguard ready", () -> mistguard.isAlive() && status(client, health) == 200);
        proxy = "http://127.0.0.1:" + listen;
    }

    @AfterEach
    void stop() throws Exception {
        if (mistguard != null) {
            mistguard.destroy();
            if (!mistguard.waitFor(20, TimeUnit.SECONDS)) {
                mistguard.destroyForcibly().waitFor();
            }
        }
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

    private String log() {
        try {
            return Files.readString(dir.resolve("mistguard.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int status(HttpClient client, URI uri) {
        try {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
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
