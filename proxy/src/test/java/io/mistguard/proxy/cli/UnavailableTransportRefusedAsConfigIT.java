package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code io_transport} this machine cannot run is a configuration refusal, at start and in
 * {@code check-config} alike: status 2 and a line naming the key, not a stack trace. The packaged
 * jar runs with Netty's native transports turned off ({@code -Dio.netty.transport.noNative=true}),
 * which stands in for a container whose seccomp profile refuses io_uring or a host without epoll.
 */
class UnavailableTransportRefusedAsConfigIT {

    private static final Map<String, String> NO_NATIVE = Map.of("JAVA_TOOL_OPTIONS", "-Dio.netty.transport.noNative=true");

    /** Regression: a start with an unavailable transport died with an uncaught exception, status 1. */
    @Test
    void anUnavailableTransportRefusesTheStartAsAConfigProblemRegression(@TempDir Path dir) throws Exception {
        for (String transport : List.of("io_uring", "epoll")) {
            Path config = Files.writeString(dir.resolve(transport + ".yaml"), "io_transport: " + transport + "\n");

            PackagedJar.Ended started = PackagedJar.exec(dir, NO_NATIVE, List.of("--config", config.toString(),
                    "--listen", "127.0.0.1:" + LoopbackPorts.free(), "--admin-listen", "127.0.0.1:" + LoopbackPorts.free()));

            assertThat(started.status()).as(started.output()).isEqualTo(2);
            assertThat(started.output()).contains("mistguard: configuration refused:",
                    "io_transport: " + transport + " is not available on this machine (",
                    "set io_transport: auto").doesNotContain("\tat ", "Exception in thread");
        }
    }

    /** Where neither native transport loads, auto starts on Java NIO, and the start-up line says so. */
    @Test
    void autoStartsOnNioWhereNoNativeTransportLoads(@TempDir Path dir) throws Exception {
        String output = PackagedJar.run(dir, NO_NATIVE, List.of(), List.of());

        assertThat(output).contains(PackagedJar.LISTENING).contains(" over nio");
    }

    /** Regression: check-config said OK to a file whose transport made the start fail on the same machine. */
    @Test
    void checkConfigRefusesAnUnavailableTransportAsAStartDoesRegression(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("uring.yaml"), "io_transport: io_uring\n");

        PackagedJar.Ended checked = PackagedJar.exec(dir, NO_NATIVE, List.of("check-config", config.toString()));

        assertThat(checked.status()).as(checked.output()).isEqualTo(2);
        assertThat(checked.output()).contains("configuration refused", "io_transport: io_uring is not available");
        // auto and nio run anywhere: the same machine passes them.
        for (String runsAnywhere : List.of("auto", "nio")) {
            Path ok = Files.writeString(dir.resolve(runsAnywhere + ".yaml"), "io_transport: " + runsAnywhere + "\n");
            PackagedJar.Ended passed = PackagedJar.exec(dir, NO_NATIVE, List.of("check-config", ok.toString()));
            assertThat(passed.status()).as(passed.output()).isZero();
        }
    }
}
