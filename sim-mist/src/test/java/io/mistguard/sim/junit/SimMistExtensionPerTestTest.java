package io.mistguard.sim.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link SimMistExtension} on an instance field: a fresh sim-mist per test, closed after it, so
 * nothing (faults, recording, state) leaks from one test into the next.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SimMistExtensionPerTestTest {

    @RegisterExtension
    SimMistExtension mist = SimMistExtension.with(b -> b.streams(1, 1));

    static SimMist first;
    static int firstPort;

    @Test
    @Order(1)
    void dirtiesItsOwnSimMist() throws Exception {
        first = mist.get();
        firstPort = first.port();
        first.faults().add(FaultRule.any().status(503));
        first.state().addStream("video+extra", 0);
        assertThat(SimMistExtensionStaticTest.post(first, "{\"push_list\":true}").statusCode()).isEqualTo(503);
    }

    @Test
    @Order(2)
    void nextTestGetsAFreshOneAndTheOldOneIsClosed() throws Exception {
        assumeTrue(first != null, "runs after dirtiesItsOwnSimMist");
        SimMist m = mist.get();
        assertThat(m).isNotSameAs(first);
        assertThat(m.faults().rules()).isEmpty();
        assertThat(m.recording().requestCount()).isZero();
        assertThat(m.state().streamNames()).containsExactly("video+stream0");
        assertThat(SimMistExtensionStaticTest.post(m, "{\"push_list\":true}").statusCode()).isEqualTo(200);
        int oldPort = firstPort;
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", oldPort), 2000);
            }
        }).isInstanceOf(ConnectException.class);
    }
}
