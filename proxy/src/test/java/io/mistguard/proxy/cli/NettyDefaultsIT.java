package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's defaults for Netty ({@code Main}) reach Netty: after a first request, the
 * allocator's Java Flight Recorder events were never initialised (which loads and starts JFR: ~100 ms
 * and ~4 MiB), unless the operator asks for them with {@code -Dio.netty.jfr.enabled=true}. Read from
 * the JVM's own class-loading log.
 */
class NettyDefaultsIT {

    private static final String JFR_EVENT = "io.netty.buffer.AllocateChunkEvent ";
    private static final String ALLOCATOR = "io.netty.buffer.AdaptivePoolingAllocator ";

    @Test
    void theFirstRequestDoesNotStartNettysFlightRecorderEvents(@TempDir Path dir) throws Exception {
        String classes = classesLoadedAroundAFirstRequest(dir, List.of());

        assertThat(classes).as("Netty's allocator served the request").contains(ALLOCATOR);
        assertThat(classes).doesNotContain(JFR_EVENT);
    }

    @Test
    void anOperatorCanTurnThemOn(@TempDir Path dir) throws Exception {
        String classes = classesLoadedAroundAFirstRequest(dir, List.of("-Dio.netty.jfr.enabled=true"));

        assertThat(classes).contains(ALLOCATOR).contains(JFR_EVENT);
    }

    /**
     * Regression (found by review): the jar let Netty take its direct buffers from the JDK, whose
     * allocation, when direct memory ran short, slept on the event loop. The jar's {@code Add-Opens}
     * and {@code Main}'s default make Netty count them itself; its count is exported.
     */
    @Test
    void theJarsNettyCountsItsOwnDirectMemoryRegression(@TempDir Path dir) throws Exception {
        String[] metrics = {""};
        String output = PackagedJar.run(dir, Map.of(), List.of("-XX:MaxDirectMemorySize=32m"), List.of(), adminPort ->
                metrics[0] = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
        assertThat(output).contains(PackagedJar.LISTENING);
        assertThat(metrics[0]).contains("mistguard_direct_memory_max_bytes 3.3554432E7")
                .containsPattern("(?m)^mistguard_direct_memory_used_bytes [0-9.E]+$");
    }

    private static String classesLoadedAroundAFirstRequest(Path dir, List<String> flags) throws Exception {
        Path log = dir.resolve("classes.log");
        List<String> jvmFlags = new ArrayList<>(flags);
        jvmFlags.add("-Xlog:class+load=info:file=" + log);
        int[] status = {0};
        String output = PackagedJar.run(dir, Map.of(), jvmFlags, List.of(), adminPort -> {
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            status[0] = health.statusCode();
        });
        assertThat(output).contains(PackagedJar.LISTENING);
        assertThat(status[0]).as("/healthz").isEqualTo(200);
        return Files.readString(log);
    }
}
