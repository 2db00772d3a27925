package io.mistguard.sim;

import static io.mistguard.sim.MistReplies.assertOk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The runnable jar's entry point, run in-process through picocli as {@code main} would (minus
 * {@code System.exit}): options reach the running sim-mist, it answers, and it stops cleanly.
 */
class SimMistMainTest {

    @Test
    void commandLineStartsASimMistThatAnswersAndStops() throws Exception {
        SimMistMain main = new SimMistMain();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> new CommandLine(main).execute(
                "--port", "0", "--control-port", "0", "--streams", "2", "--viewers", "3", "--passphrase", "sesame"),
                Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "sim-mist-main-test");
                    t.setDaemon(true);
                    return t;
                }));
        SimMist m;
        try {
            m = main.started.get(10, TimeUnit.SECONDS);
            try (RawHttp http = new RawHttp(m.port())) {
                JsonNode state = assertOk(http.post("/api2", MistReplies.GET_STATE));
                assertThat(state.get("stats_streams").toString())
                        .isEqualTo("{\"video+stream0\":[3,200000],\"video+stream1\":[3,201000]}");
                http.send("GET", "/sesame", null, "");
                assertThat(http.read().body()).contains("mist_sessions_total{sessType=\"viewers\"} 6");
            }
            assertThat(m.controlPort()).isPositive();
        } finally {
            main.stop();
        }
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        int port = m.port();
        assertThatThrownBy(() -> new RawHttp(port).close()).isInstanceOf(IOException.class);
    }

    @Test
    void chaosSeedStartsChaosModeWithThatSeed() throws Exception {
        SimMistMain main = new SimMistMain();
        main.port = 0;
        main.chaosSeed = 42L;
        try (SimMist m = main.start()) {
            assertThat(m.chaos().runner()).isNotNull();
            assertThat(m.chaos().runner().seed()).isEqualTo(42L);
        }
    }

    /** Issue 13: {@code sim-mist --version} printed nothing. */
    @Test
    void versionNamesTheProductRegression() {
        StringWriter out = new StringWriter();
        int code = new CommandLine(new SimMistMain()).setOut(new PrintWriter(out)).execute("--version");
        assertThat(code).isZero();
        assertThat(out.toString()).startsWith("sim-mist ").contains("Java ");
    }

    /** Issue 13: a port in use printed Netty's stack trace; now one line naming the address and its flag, exit 1. */
    @Test
    void aPortInUseIsOneLineNamingTheFlagRegression() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            StringWriter err = new StringWriter();

            int code = new CommandLine(new SimMistMain()).setErr(new PrintWriter(err))
                    .execute("--port", "0", "--control-port", String.valueOf(port));

            assertThat(code).isEqualTo(1);
            assertThat(err.toString().lines()).containsExactly("sim-mist: cannot listen on 127.0.0.1:" + port
                    + " (--control-port): Address already in use");
        }
    }

    @Test
    void unknownOptionIsAUsageError() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new SimMistMain()).setErr(new PrintWriter(err)).execute("--prot", "1");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option").contains("--prot");
    }
}
