package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mistguard in a process allowed fewer files than its connection limits need ({@code ulimit -n 200}
 * against the default {@code limits.max_connections} of 10 000). Regression: nothing said so at start;
 * once the descriptors ran out, every second brought a WARN with a whole stack trace from the
 * listener's pipeline tail ("An exceptionCaught() event was fired, and it reached at the tail").
 * Now: a warning at start naming both ways out; one line per spell of failures, then at most one
 * every 10 s; and once descriptors are free again the callers that waited are served. Runs the
 * packaged jar under {@code bash -c 'ulimit -n 200; exec java …'} in front of a JDK HTTP server.
 */
class FileDescriptorExhaustionRegressionIT {

    private static final Path JAR = Path.of("target", "mistguard.jar");

    @TempDir
    Path dir;

    private HttpServer upstream;
    private Process mistguard;
    private final List<Socket> held = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : held) {
            socket.close();
        }
        ChildProcesses.stop(mistguard);
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void outOfDescriptorsIsWarnedOfAtStartAndReportedBrieflyAndCallersAreServedOnceTheyAreFreeRegression()
            throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] body = "ok".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        int listen = LoopbackPorts.freeRun(2);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("mistguard.log");
        mistguard = new ProcessBuilder("bash", "-c", "ulimit -n 200 && exec \"$0\" \"$@\"", java, "-Xmx64m",
                "-jar", JAR.toString(), "--listen", "127.0.0.1:" + listen, "--admin-listen", "127.0.0.1:" + (listen + 1),
                "--upstream", "http://127.0.0.1:" + upstream.getAddress().getPort())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Await.until("mistguard listening", () -> read(log).contains("mistguard listening on") || !mistguard.isAlive());
        assertThat(read(log)).contains("mistguard: warning: limits.max_connections is 10000, but this process may "
                                       + "open only 200 files (ulimit -n)");

        // Hold connections until accept fails (each takes a descriptor in mistguard).
        for (int i = 0; i < 260; i++) {
            held.add(new Socket("127.0.0.1", listen));
        }
        Await.until("accept failing", () -> read(log).contains("proxy listener: accepting a connection failed"));
        Thread.sleep(2_500); // two more of Netty's one-second retries, each failing again

        String during = read(log);
        assertThat(during).contains("The process is out of file descriptors: raise ulimit -n")
                .doesNotContain("reached at the tail of the pipeline")
                .doesNotContain("\tat io.netty");
        assertThat(during.split("accepting a connection failed", -1)).as("one line for the spell so far").hasSize(2);

        for (Socket socket : held) {
            socket.close();
        }
        held.clear();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listen + "/x"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("%s", read(log)).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("ok");

        String metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (listen + 1) + "/metrics"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher proxyFailures = Pattern.compile("(?m)^mistguard_accept_failures_total\\{listener=\"proxy\"} (\\S+)$")
                .matcher(metrics);
        assertThat(proxyFailures.find()).as("%s", metrics).isTrue();
        assertThat(Double.parseDouble(proxyFailures.group(1))).as("every failure counted, not one per log line")
                .isGreaterThanOrEqualTo(3);
        assertThat(metrics).contains("mistguard_accept_failures_total{listener=\"admin\"} 0.0");
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }
}
