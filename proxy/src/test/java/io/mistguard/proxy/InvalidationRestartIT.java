package io.mistguard.proxy;

import static io.mistguard.proxy.InvalidationIT.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names accepted while Mist hangs and still pending at shutdown are written to the state file by
 * {@code Mistguard.close()} (what SIGTERM runs) and delivered by the next process.
 */
class InvalidationRestartIT {

    private static final List<String> NAMES = List.of("video+r1", "video+r2", "video+r3");

    @TempDir
    Path dir;

    @Test
    void namesPendingAtShutdownAreDeliveredByTheNextProcess() throws Exception {
        Path stateFile = dir.resolve("invalidations.state");
        try (SimMist mist = SimMist.builder().streams(2, 1).start()) {
            mist.faults().add(FaultRule.forCommand("invalidate_sessions").hang());
            try (TestProxy first = TestProxy.start(InvalidationIT.config(mist.port(), stateFile))) {
                for (String name : NAMES) {
                    HttpResponse<String> response = first.postForm("/", "command="
                            + URLEncoder.encode("{\"invalidate_sessions\":\"" + name + "\"}", StandardCharsets.UTF_8));
                    assertThat(response.headers().firstValue("Mistguard-Decision")).hasValue("queued");
                }
                await(() -> mist.recording().commandCount("invalidate_sessions") >= 1, "a call is hanging");
            } // close(): 300 ms of grace, then the final write
            assertThat(Files.readAllLines(stateFile)).startsWith("# mistguard invalidate_sessions queue v1")
                    .containsAll(NAMES).hasSize(NAMES.size() + 1);

            mist.faults().clear();
            mist.recording().clear();
            try (TestProxy second = TestProxy.start(InvalidationIT.config(mist.port(), stateFile))) {
                await(() -> mist.recording().streamsFor("invalidate_sessions").containsAll(NAMES),
                        "replayed names delivered");
                await(() -> !Files.exists(stateFile), "state file removed once nothing is held");
                assertThat(second.mistguard.invalidationStats().accepted()).as("replay is not an offer").isZero();
            }
        }
    }
}
