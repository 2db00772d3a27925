package io.mistguard.sim.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.RawHttp;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.junit.SimMistExtension;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code garbage} fault: the command runs, but what comes back is not HTTP at all, and the
 * connection stays open, so a client has to give up on it by itself.
 */
class GarbageFaultTest {

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(2, 1));

    @Test
    void theCommandRunsAndTheAnswerIsNoHttpResponseOnAConnectionLeftOpen() throws Exception {
        SimMist m = mist.get();
        m.faults().add(FaultSpecs.fromMap(Map.of("command", "nuke_stream", "action", "garbage")));
        try (RawHttp http = new RawHttp(m.port())) {
            http.send("POST", "/api2", "application/x-www-form-urlencoded",
                    RawHttp.form("{\"nuke_stream\":\"video+stream0\"}"));
            InputStream in = http.socket.getInputStream();
            StringBuilder text = new StringBuilder();
            for (int b; !text.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0; ) {
                text.append((char) b);
            }
            assertThat(text.toString()).doesNotStartWith("HTTP/").startsWith("\u0000\u0007").contains("GARBAGE");
            assertThat(http.silentFor(200)).as("left open, and nothing more comes").isTrue();
        }
        assertThat(m.state().streamNames()).doesNotContain("video+stream0");
        assertThat(m.recording().executedCount("nuke_stream")).isEqualTo(1);
    }
}
