package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Pins {@link LoopbackPorts} against the two faults of picking a port by binding port 0 and closing it. */
class LoopbackPortsTest {

    /**
     * A CI run gave a child mistguard one port for both {@code --listen} and {@code --admin-listen}:
     * two bind-and-close picks in a row returned the same port. A thousand picks here, where the
     * kernel's random choice over ~28 000 ephemeral ports would almost surely repeat one.
     */
    @Test
    void portsPickedInARowAreNeverTheSameRegression() throws IOException {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            assertThat(seen.add(LoopbackPorts.free())).as("pick %d repeated a port", i).isTrue();
        }
    }

    /**
     * A port in the ephemeral range, closed after the pick, can become any client's source port: a
     * caller connecting from 127.0.0.1 to 127.0.0.1:P may get P and connect to itself where the test
     * expected a refusal. A pick lies outside that range whenever the range leaves room.
     */
    @Test
    void aPickedPortLiesOutsideTheEphemeralRangeSoNoClientCanTakeItRegression() throws IOException {
        String[] range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
        int low = Integer.parseInt(range[0]);
        int high = Integer.parseInt(range[1]);
        for (int i = 0; i < 100; i++) {
            assertThat(LoopbackPorts.free()).satisfiesAnyOf(p -> assertThat(p).isLessThan(low),
                                                            p -> assertThat(p).isGreaterThan(high));
        }
    }

    @Test
    void aRunIsConsecutiveFreePortsNoneHandedOutBefore() throws IOException {
        Set<Integer> earlier = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            earlier.add(LoopbackPorts.free());
        }
        int first = LoopbackPorts.freeRun(3);
        for (int port = first; port < first + 3; port++) {
            assertThat(earlier).doesNotContain(port);
            try (ServerSocket bound = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(bound.getLocalPort()).isEqualTo(port);
            }
        }
        assertThat(LoopbackPorts.free()).isNotIn(first, first + 1, first + 2);
    }
}
