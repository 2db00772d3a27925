package io.mistguard.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Loading whole files: defaults, every key, and the problems an operator sees for bad files. */
class ConfigLoaderTest {

    @ParameterizedTest
    @ValueSource(strings = { "", "\n", "# only a comment\n", "---\n", "~\n", "upstream:\nlimits:\nadmin:\n" })
    void emptyDocumentsAndSectionsMeanDefaults(String yaml) throws ConfigException {
        assertThat(ConfigLoader.parse(yaml, "m.yaml")).isEqualTo(ProxyConfig.defaults());
    }

    @Test
    void defaultsAreTheDocumentedValues() {
        ProxyConfig d = ProxyConfig.defaults();
        assertThat(d.listen()).isEqualTo(new HostPort("127.0.0.1", 4243));
        assertThat(d.upstream()).isEqualTo(new UpstreamConfig("127.0.0.1", 4242, Duration.ofSeconds(1), 32,
                                                              Duration.ofSeconds(30), 16L << 20));
        assertThat(d.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.limits()).isEqualTo(new LimitsConfig(8192, 16384, 1 << 20, 10_000, Duration.ofSeconds(60)));
        assertThat(d.admin().listen()).isEqualTo(new HostPort("127.0.0.1", 4244));
        assertThat(d.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.ioThreads()).isZero();
    }

    @Test
    void everyKeyIsRead() throws Exception {
        ProxyConfig config = ConfigLoader.load(resource("every-key.yaml"));

        assertThat(config).isEqualTo(new ProxyConfig(
                new HostPort("0.0.0.0", 5243),
                new UpstreamConfig("mist.internal", 8080, Duration.ofMillis(250), 4, Duration.ofMillis(1500),
                                   8_000_000),
                Duration.ofMillis(4500),
                new LimitsConfig(4096, 32 << 10, 2 << 20, 500, Duration.ofMinutes(2)),
                new AdminConfig(new HostPort("::1", 9090)),
                Duration.ZERO,
                2));
    }

    @Test
    void allProblemsAreReportedAtOnceInFileOrder() throws Exception {
        Path file = resource("many-problems.yaml");
        String f = file.toString();

        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        f + ":2:1: lisen: unknown key \"lisen\" (expected one of: listen, upstream, request_timeout, " +
                        "limits, admin, shutdown_grace, io_threads, io_transport, cache, breakers, admissions, route_defaults, routes, invalidations, logging, trusted_peers, websocket, triggers)",
                        f + ":4:8: upstream.url: \"https://127.0.0.1:4242\" has scheme \"https\", but Mist's API " +
                        "speaks plain http (expected: http://host[:port], like http://127.0.0.1:4242)",
                        f + ":5:20: upstream.connect_timeout: \"5\" is not a duration (expected: a number with a " +
                        "unit, like 500ms, 5s, 1m)",
                        f + ":6:36: upstream.max_idle_connections_per_thread: \"0\" is out of range " +
                        "(expected: >= 1)",
                        f + ":8:19: limits.max_body_bytes: \"4GiB\" is out of range (expected: from 1 to 2147483647)",
                        f + ":9:21: limits.max_header_bytes: \"lots\" is not a byte size (expected: a number of " +
                        "bytes, optionally with a unit, like 512, 64KiB, 1MiB, 1GiB (KB, MB, GB are powers of 1000))",
                        f + ":11:11: admin.listen: \"localhost\" has no port (expected: host:port, like " +
                        "127.0.0.1:4243, localhost:4243 or [::1]:4243)",
                        f + ":12:13: io_threads: \"-1\" is out of range (expected: from 0 to 1024)",
                        f + ":13:18: request_timeout: \"0s\" is zero (expected: a duration > 0, like 500ms, 5s)"))
                .hasMessageStartingWith(f + ":2:1: lisen: unknown key")
                .hasMessageContaining("\n" + f + ":4:8: upstream.url: ");
    }

    @Test
    void duplicateTopLevelKeyDoesNotHideOtherProblems() {
        assertThatThrownBy(() -> ConfigLoader.parse("io_threads: 1\nio_threads: 2\nshutdown_grace: 5\n", "m.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "m.yaml:2:1: io_threads: duplicate key \"io_threads\" (expected: each key once; first one " +
                        "is on line 1)",
                        "m.yaml:3:17: shutdown_grace: \"5\" is not a duration (expected: a number with a unit, " +
                        "like 500ms, 5s, 1m)"));
    }

    @Test
    void ioTransportNamesOneOfFourAndAnythingElseIsAProblem() throws Exception {
        assertThat(ConfigLoader.parse("io_transport: epoll\n", "m.yaml").ioTransport()).isEqualTo(IoTransport.EPOLL);
        assertThat(ConfigLoader.parse("io_transport: io_uring\n", "m.yaml").ioTransport())
                .isEqualTo(IoTransport.IO_URING);
        assertThat(ConfigLoader.parse("io_threads: 1\n", "m.yaml").ioTransport()).isEqualTo(IoTransport.AUTO);
        assertThatThrownBy(() -> ConfigLoader.parse("io_transport: kqueue\n", "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("m.yaml:1:15: io_transport: \"kqueue\" is not an I/O transport (expected: auto, io_uring, "
                            + "epoll or nio)");
    }

    @Test
    void undefinedAliasIsASyntaxError() {
        assertThatThrownBy(() -> ConfigLoader.parse("listen: *nope\n", "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("m.yaml:1:9: invalid YAML: found undefined alias nope");
    }

    @Test
    void yamlSyntaxErrorNamesItsPosition() throws Exception {
        Path file = resource("syntax-error.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ":4:19: invalid YAML: mapping values are not allowed here");
    }

    @Test
    void tabIndentationIsASyntaxError() {
        assertThatThrownBy(() -> ConfigLoader.parse("upstream:\n\turl: http://x\n", "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("m.yaml:2:1: invalid YAML: ");
    }

    @Test
    void missingFileIsOneProblem(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(missing))
                .isInstanceOfSatisfying(ConfigException.class,
                                        e -> assertThat(e.problems()).containsExactly(missing + ": file not found"));
    }

    @Test
    void directoryIsNotAFile(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigLoader.load(dir))
                .isInstanceOf(ConfigException.class)
                .hasMessage(dir + ": is a directory (expected: a YAML file)");
    }

    /**
     * Found by review: a few thousand nested collections ran the parser's stack out, and the
     * StackOverflowError ended check-config and a start with a stack trace (exit 1), and a reload
     * with a 500. It is a problem of the file like any other.
     */
    @Test
    void collectionsNestedTooDeeplyAreAProblemNotACrashRegression() {
        String yaml = "x: " + "[".repeat(50_000) + "]".repeat(50_000) + "\n";

        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("m.yaml: invalid YAML: collections nested too deeply to read (a mistguard config "
                            + "needs a few levels)");
    }

    /**
     * Found by review: 600 emoji in a comment made snakeyaml-engine's reader throw an
     * IndexOutOfBoundsException (a character outside the BMP across its 1 024-character buffer's
     * end), and check-config ended with a stack trace. The file is valid YAML, and it loads.
     */
    @Test
    void charactersOutsideTheBmpAcrossTheParsersBufferLoadRegression() throws Exception {
        String emoji = new String(Character.toChars(0x1F600));
        assertThat(ConfigLoader.parse("# " + emoji.repeat(600) + "\nio_threads: 2\n", "m.yaml").ioThreads())
                .isEqualTo(2);
    }

    /** Found by review: /dev/zero was read until the heap ran out, and a FIFO hung check-config. */
    @Test
    void aDeviceIsNotAConfigFileRegression() {
        Path device = Path.of("/dev/zero");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(device), "a Unix with /dev/zero");

        assertThatThrownBy(() -> ConfigLoader.load(device))
                .isInstanceOf(ConfigException.class)
                .hasMessage("/dev/zero: is not a regular file (a device, a pipe or a socket; expected: a YAML file)");
    }

    @Test
    void aFileOverFourMibIsNotReadRegression(@TempDir Path dir) throws IOException {
        Path big = Files.write(dir.resolve("big.yaml"), new byte[(4 << 20) + 1]);

        assertThatThrownBy(() -> ConfigLoader.load(big))
                .isInstanceOf(ConfigException.class)
                .hasMessage(big + ": is 4194305 bytes (expected: a YAML file of at most 4 MiB)");
    }

    /** Found by review: {@code --config ""} said ": is a directory". */
    @Test
    void anEmptyPathIsNamedAsSuchRegression() {
        assertThatThrownBy(() -> ConfigLoader.load(Path.of("")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("\"\": an empty path names no file (expected: a YAML file)");
    }

    /** Found by review: the byte was reported for the whole file, with no line or column. */
    @Test
    void nonUtf8FileIsReportedAtItsFirstBadByte(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("latin1.yaml"), new byte[] { 'a', ':', ' ', (byte) 0xE9, '\n' });

        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ":1:4: is not UTF-8 text: byte 0xE9 here (expected: a UTF-8 YAML file)");

        Path later = Files.write(dir.resolve("later.yaml"),
                "# caf\u00e9 \ud83d\ude00\nlisten: x\n# \u00ff".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] bytes = Files.readAllBytes(later);
        bytes[bytes.length - 2] = (byte) 0xFF; // the first byte of the last line's two-byte character
        Files.write(later, bytes);
        assertThatThrownBy(() -> ConfigLoader.load(later))
                .isInstanceOf(ConfigException.class)
                .hasMessage(later + ":3:3: is not UTF-8 text: byte 0xFF here (expected: a UTF-8 YAML file)");
    }

    /** Found by review: the alias limit said only "max=20", without why or what to do instead. */
    @Test
    void tooManyAliasesSayWhyAndWhatToDoInstead() {
        StringBuilder yaml = new StringBuilder("routes:\n  - {name: r0, match: {path: /0}, retry: &r {attempts: 1}}\n");
        for (int i = 1; i <= 21; i++) {
            yaml.append("  - {name: r").append(i).append(", match: {path: /").append(i).append("}, retry: *r}\n");
        }
        assertThatThrownBy(() -> ConfigLoader.parse(yaml.toString(), "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("more than 20 aliases (*name) to mappings or lists")
                .hasMessageContaining("route_defaults");
    }

    /** Found by review: a character YAML does not allow was reported "at offset 23", not at its line. */
    @Test
    void aCharacterYamlDoesNotAllowIsReportedAtItsLineAndColumn() {
        assertThatThrownBy(() -> ConfigLoader.parse("listen: 127.0.0.1:1\nadmin:\n  listen: a\u0000b\n", "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("m.yaml:3:12: invalid YAML: character U+0 is not allowed in YAML");
        assertThatThrownBy(() -> ConfigLoader.parse("listen: 127.0.0.1:1\r# ab\u0000\r", "cr.yaml"))
                .as("a lone CR ends a line in YAML")
                .isInstanceOf(ConfigException.class)
                .hasMessage("cr.yaml:2:5: invalid YAML: character U+0 is not allowed in YAML");
    }

    @ParameterizedTest
    @ValueSource(strings = { "- listen: 127.0.0.1:4243\n", "127.0.0.1:4243\n" })
    void topLevelMustBeAMapping(String yaml) {
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("m.yaml:1:1: the top level is ")
                .hasMessageEndingWith("(expected: a mapping of settings, like listen: 127.0.0.1:4243)");
    }

    @Test
    void moreThanOneDocumentIsRejected() {
        assertThatThrownBy(() -> ConfigLoader.parse("listen: 127.0.0.1:1\n---\nlisten: 127.0.0.1:2\n", "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("m.yaml:2:1: invalid YAML: ");
    }

    /**
     * Found by review: an admin token of only whitespace crashed the loading with a stack trace (hiding
     * the file's other problems), and one with surrounding spaces or a control character was accepted,
     * to be matched by no Authorization header.
     */
    @Test
    void anAdminTokenNoHeaderCanCarryIsAPositionedProblemNotAStackTraceRegression() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.parse("admin: {token: \"   \"}\nlisten: x\n", "m.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "m.yaml:1:16: admin.token: only whitespace (expected: a secret, or \"\" for none)",
                        "m.yaml:2:9: listen: \"x\" has no port (expected: host:port, like 127.0.0.1:4243, "
                        + "localhost:4243 or [::1]:4243)"));
        assertThatThrownBy(() -> ConfigLoader.parse("admin: {token: \" tok123 \"}\n", "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.token: begins or ends with whitespace").hasMessageNotContaining("tok123");
        assertThatThrownBy(() -> ConfigLoader.parse("admin: {token: \"tok\\n123\"}\n", "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.token: has a control character at position 4 (U+000A)");
        assertThat(ConfigLoader.parse("admin: {token: \"t k+/=~\"}\n", "m.yaml").admin().token()).isEqualTo("t k+/=~");
    }

    /**
     * Found by review: a route's retry with backoff_max below backoff_base was accepted, where the
     * same inversion was refused for invalidations.* and triggers.delivery.*.
     */
    @Test
    void aRetryBackoffMaxBelowItsBaseIsRefusedLikeTheOtherBackoffsRegression() {
        assertThatThrownBy(() -> ConfigLoader.parse("route_defaults: {retry: {backoff_base: 1s, backoff_max: 10ms}}\n",
                                                    "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("route_defaults.retry.backoff_max: backoff_max 10ms is shorter than "
                                      + "backoff_base 1s (expected: backoff_max >= backoff_base)");
        assertThatThrownBy(() -> ConfigLoader.parse("route_defaults: {retry: {backoff_max: 100ms}}\nroutes:\n"
                + "  - {name: catch-all, match: {}, kind: passthrough, retry: {backoff_base: 200ms}}\n", "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("retry.backoff_base: backoff_max 100ms is shorter than backoff_base 200ms");
    }

    @Test
    void crossFieldProblemsPointAtTheKeyToChange() {
        String yaml = """
                listen: 127.0.0.1:4243
                upstream:
                  url: http://127.0.0.1:4243
                  connect_timeout: 20s
                admin:
                  listen: 127.0.0.1:4243
                """;

        assertThatThrownBy(() -> ConfigLoader.parse(yaml, "m.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "m.yaml:3:8: upstream.url: http://127.0.0.1:4243 is mistguard's own listen address 127.0.0.1:4243, so " +
                        "requests would loop (expected: Mist's API address)",
                        "m.yaml:4:20: upstream.connect_timeout: 20s is longer than request_timeout (10s), so it " +
                        "could never fire (expected: <= request_timeout)",
                        "m.yaml:6:11: admin.listen: 127.0.0.1:4243 is also the proxy's listen address " +
                        "(expected: a different port)"));
    }

    /** Found by review: an upstream on mistguard's admin or trigger listener was not refused, only one on listen. */
    @Test
    void anUpstreamOnMistguardsAdminOrTriggerListenerIsRefusedRegression() {
        assertThatThrownBy(() -> ConfigLoader.parse("upstream:\n  url: http://localhost:9901\nadmin:\n"
                                                    + "  listen: 127.0.0.1:9901\n", "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("m.yaml:2:8: upstream.url: http://localhost:9901 is mistguard's own admin listen address "
                            + "127.0.0.1:9901 (expected: Mist's API address)");
        assertThatThrownBy(() -> ConfigLoader.parse("upstream:\n  url: http://127.0.0.1:9902\ntriggers:\n"
                                                    + "  listen: 127.0.0.1:9902\n", "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("m.yaml:2:8: upstream.url: http://127.0.0.1:9902 is mistguard's own trigger listen "
                            + "address 127.0.0.1:9902 (expected: Mist's API address)");
    }

    @Test
    void crossFieldProblemOnADefaultPointsAtTheEnclosingKey() {
        assertThatThrownBy(() -> ConfigLoader.parse("request_timeout: 500ms\nupstream: {}\n", "m.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("m.yaml:2:11: upstream.connect_timeout: 1s is longer than request_timeout (500ms), " +
                            "so it could never fire (expected: <= request_timeout)");
    }

    @Test
    void listenersOnPortZeroDoNotCollide() throws ConfigException {
        ProxyConfig config = ConfigLoader.parse("listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\n", "m.yaml");

        assertThat(config.listen().port()).isZero();
        assertThat(config.admin().listen().port()).isZero();
    }

    @Test
    void crossFieldChecksWaitUntilEveryKeyIsValid() {
        // connect_timeout falls back to its 1s default; that must not be reported against the 500ms budget.
        assertThatThrownBy(() -> ConfigLoader.parse("request_timeout: 500ms\nupstream:\n  connect_timeout: x\n",
                                                    "m.yaml"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(1));
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(List.of(ConfigLoaderTest.class.getResource("/config/" + name)).get(0).toURI());
    }
}
