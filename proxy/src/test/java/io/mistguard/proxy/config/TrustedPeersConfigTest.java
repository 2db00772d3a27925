package io.mistguard.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code trusted_peers}: CIDR parsing and matching, defaults, and the loader's messages. */
class TrustedPeersConfigTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.0/8     | 127.0.0.1        | true
            127.0.0.0/8     | 127.255.255.254  | true
            127.0.0.0/8     | 128.0.0.1        | false
            10.1.2.3        | 10.1.2.3         | true
            10.1.2.3        | 10.1.2.4         | false
            10.1.0.0/16     | 10.1.200.9       | true
            10.1.0.0/16     | 10.2.0.1         | false
            0.0.0.0/0       | 203.0.113.7      | true
            ::1/128         | ::1              | true
            ::1/128         | 127.0.0.1        | false
            127.0.0.0/8     | ::ffff:127.0.0.1 | true
            fd00::/8        | fd12:3456::1     | true
            fd00::/8        | fe80::1          | false
            10.0.0.0/8      | ::1              | false
            """)
    void blockContainsExactlyItsAddresses(String block, String address, boolean contained) throws Exception {
        assertThat(Cidr.parse(block).contains(InetAddress.getByName(address))).isEqualTo(contained);
    }

    @Test
    void aBlockPrintsBackAsParsed() {
        assertThat(Cidr.parse("10.1.0.0/16")).hasToString("10.1.0.0/16");
    }

    /** Found by attacking the trust work: 10.0.0.1/8 was taken silently as all of 10/8. */
    @Test
    void hostBitsSetAreRefusedRatherThanGuessed() {
        assertThatThrownBy(() -> Cidr.parse("10.0.0.1/8")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"10.0.0.1/8\" has host bits set (expected: 10.0.0.0/8, or /32 for the one address)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            localhost      | is not an IP address block
            10.0.0.0/33    | has prefix length "33" (expected: 0 to 32)
            ::1/129        | has prefix length "129" (expected: 0 to 128)
            10.0.0/8       | is not an IP address block
            10.0.0.0/x     | has prefix length "x"
            10.0.0.0/-1    | has prefix length "-1"
            """)
    void malformedBlocksAreRefusedWithWhatWasExpected(String text, String message) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void absentKeyTrustsLoopbackOnly() throws ConfigException {
        TrustedPeers peers = ConfigLoader.parse("listen: 127.0.0.1:4243\n", "t.yaml").trustedPeers();
        assertThat(peers).isEqualTo(TrustedPeers.defaults());
        assertThat(peers.blocks()).containsExactly(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));
    }

    @Test
    void emptyListTrustsNobody() throws Exception {
        TrustedPeers peers = ConfigLoader.parse("trusted_peers: []\n", "t.yaml").trustedPeers();
        assertThat(peers.contains(InetAddress.getByName("127.0.0.1"))).isFalse();
        assertThat(peers.contains(null)).isFalse();
    }

    @Test
    void listedBlocksAreRead() throws Exception {
        TrustedPeers peers = ConfigLoader.parse("trusted_peers: [127.0.0.0/8, 10.4.0.0/16]\n", "t.yaml").trustedPeers();
        assertThat(peers.blocks()).containsExactly(Cidr.parse("127.0.0.0/8"), Cidr.parse("10.4.0.0/16"));
    }

    @Test
    void everyBadBlockIsReportedWithItsLineAndColumn() {
        assertThatThrownBy(() -> ConfigLoader.parse("trusted_peers:\n  - 127.0.0.0/8\n  - pod-network\n  - 10.0.0.0/40\n",
                                                    "t.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "t.yaml:3:5: trusted_peers[1]: \"pod-network\" is not an IP address block (expected: "
                        + Cidr.EXPECTED + ")",
                        "t.yaml:4:5: trusted_peers[2]: \"10.0.0.0/40\" has prefix length \"40\" (expected: 0 to 32)"));
    }

    @Test
    void notAListIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.parse("trusted_peers: 127.0.0.0/8\n", "t.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "t.yaml:1:16: trusted_peers: \"127.0.0.0/8\" is not a list (expected: lines starting with \"- \")"));
    }

    @Test
    void adminBeyondLoopbackWithoutTokenIsRefusedAndSaysWhy() {
        AdminConfig open = new AdminConfig(new HostPort("0.0.0.0", 4244));
        assertThat(open.exposureProblem()).contains("0.0.0.0:4244", "not a loopback address", "no admin token",
                                                    "MISTGUARD_ADMIN_TOKEN");
        assertThat(open.withToken("s3cret").exposureProblem()).isNull();
        assertThat(new AdminConfig(new HostPort("127.0.0.1", 4244)).exposureProblem()).isNull();
        assertThat(new AdminConfig(new HostPort("::1", 4244)).exposureProblem()).isNull();
        assertThat(new AdminConfig(new HostPort("localhost", 4244)).exposureProblem()).isNull();
        assertThat(TrustedPeers.defaults().blocks()).hasSize(2);
        assertThat(List.of(open)).isNotEmpty();
    }
}
