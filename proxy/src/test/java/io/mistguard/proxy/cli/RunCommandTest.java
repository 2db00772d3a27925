package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: help, version, and precise refusals (exit 2) before anything starts. */
class RunCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = RunCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpListsEveryFlag() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--config", "--listen", "--upstream", "--admin-listen", "--demo",
                "--version", "Exit status");
    }

    @Test
    void versionNamesTheProduct() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("mistguard ");
    }

    @Test
    void badConfigFileIsRefusedWithEveryProblem(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "lisen: 127.0.0.1:1\nrequest_timeout: 5\n");

        assertThat(run("--config", file.toString())).isEqualTo(2);

        assertThat(err.toString()).contains("configuration refused")
                .contains("bad.yaml:1:1: lisen: unknown key \"lisen\"")
                .contains("bad.yaml:2:18: request_timeout: \"5\" is not a duration");
    }

    @Test
    void missingConfigFileIsRefused(@TempDir Path dir) {
        assertThat(run("--config", dir.resolve("absent.yaml").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("absent.yaml").contains("not found");
    }

    @Test
    void badFlagValuesAreRefused() {
        assertThat(run("--listen", "nonsense")).isEqualTo(2);
        assertThat(err.toString()).contains("--listen");

        assertThat(run("--upstream", "https://127.0.0.1:4242")).isEqualTo(2);
        assertThat(err.toString()).contains("https");
    }

    /** Issue 13: a bad flag hid the next one; every bad flag and every file problem is listed at once. */
    @Test
    void everyBadFlagIsReportedAtOnceRegression(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "request_timeout: 5\n");

        assertThat(run("--config", file.toString(), "--listen", "nonsense", "--upstream", "https://127.0.0.1:4242",
                       "--admin-listen", "also-nonsense")).isEqualTo(2);

        assertThat(err.toString()).contains("bad.yaml:1:18: request_timeout: \"5\" is not a duration")
                .contains("  --listen: ").contains("  --upstream: ").contains("  --admin-listen: ");
    }

    /** Review of #13: two listeners on one address given by flags were not refused (only the file's were). */
    @Test
    void listenAndAdminListenOnOneAddressByFlagsAreRefusedRegression() {
        assertThat(run("--listen", "127.0.0.1:15999", "--admin-listen", "127.0.0.1:15999")).isEqualTo(2);
        assertThat(err.toString()).contains("admin.listen: 127.0.0.1:15999 is also the proxy's listen address");
    }

    /**
     * Found by review: flags were compared as text, not by the file's rule, so port 0 on both (any
     * free port, as tests and demos ask) was refused, and a wildcard over a loopback address on the
     * same port was not.
     */
    @Test
    void listenersGivenByFlagsCollideByTheFilesRuleRegression() {
        assertThat(run("--listen", "0.0.0.0:15999", "--admin-listen", "127.0.0.1:15999")).isEqualTo(2);
        assertThat(err.toString()).contains("admin.listen: 127.0.0.1:15999 is also the proxy's listen address");

        err.getBuffer().setLength(0);
        assertThat(run("--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--upstream", "https://x"))
                .as("refused for --upstream alone").isEqualTo(2);
        assertThat(err.toString()).contains("--upstream: ").doesNotContain("is also the proxy's listen address");
    }

    /**
     * Found by review: a read route matching nuke_stream with a stale window started without a word
     * (only check-config failed it), and answered a later nuke_stream "200 stale" while Mist failed:
     * success for a write Mist never ran. A start now refuses check-config's safety rules.
     */
    @Test
    void aRouteThatWouldAnswerAWriteFromTheStoreIsRefusedAtStartNotOnlyByCheckConfigRegression(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("stale-write.yaml");
        Files.writeString(file, """
                routes:
                  - {name: rd, match: {commands: [nuke_stream]}, kind: read, stale: {max_age: 10s}}
                  - {name: catch-all, match: {}, kind: passthrough}
                """);
        assertThat(run("--config", file.toString(), "--listen", "127.0.0.1:15994", "--admin-listen", "127.0.0.1:15993"))
                .isEqualTo(2);
        assertThat(err.toString()).startsWith("mistguard: configuration refused:")
                .contains("route rd: kind read keeps answers (stale.max_age) and answers from them without Mist, but it "
                          + "matches the command key(s) nuke_stream, not known to be a read");
    }

    /**
     * Found by review: the file's loop checks ran before the flags were applied, so {@code --upstream}
     * pointing at {@code --listen} started, and every request went round in a circle until its
     * timeout; so did a trigger upstream in the file that a flag's listener then took.
     */
    @Test
    void anUpstreamThatAFlagPointsAtMistguardsOwnListenerIsRefusedRegression(@TempDir Path dir) throws Exception {
        assertThat(run("--listen", "127.0.0.1:15999", "--upstream", "http://localhost:15999")).isEqualTo(2);
        assertThat(err.toString()).contains("upstream.url: http://localhost:15999 is mistguard's own listen address "
                                            + "127.0.0.1:15999, so requests would loop");

        err.getBuffer().setLength(0);
        assertThat(run("--listen", "[::1]:15995", "--upstream", "http://[::]:15995")).as("a wildcard target").isEqualTo(2);
        assertThat(err.toString()).contains("upstream.url: http://[::]:15995 is mistguard's own listen address");

        err.getBuffer().setLength(0);
        assertThat(run("--admin-listen", "127.0.0.1:15998", "--upstream", "http://127.0.0.1:15998")).isEqualTo(2);
        assertThat(err.toString()).contains("upstream.url: http://127.0.0.1:15998 is mistguard's own admin listen address");

        err.getBuffer().setLength(0);
        Path file = dir.resolve("t.yaml");
        Files.writeString(file, "triggers:\n  listen: 127.0.0.1:15997\n  upstream: http://127.0.0.1:15996/api/mist/trigger\n");
        assertThat(run("--config", file.toString(), "--listen", "127.0.0.1:15996")).isEqualTo(2);
        assertThat(err.toString()).contains("triggers.upstream: http://127.0.0.1:15996/api/mist/trigger is mistguard's "
                                            + "own proxy listen address 127.0.0.1:15996");
    }

    /** Review of #13: --upstream with --demo was silently ignored. */
    @Test
    void upstreamWithDemoIsRefusedRegression() {
        assertThat(run("--demo", "--upstream", "http://127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("--upstream: not with --demo");
    }

    /**
     * Review of #13: a whitespace MISTGUARD_ADMIN_TOKEN crashed with a stack trace, and a token ending
     * in a newline (a Secret file, an echo) was kept as is, so no caller's Bearer matched it.
     */
    @Test
    void theTokenFromTheEnvironmentIsTrimmedAndABlankOneIsAProblemRegression() {
        java.util.List<String> problems = new java.util.ArrayList<>();
        io.mistguard.proxy.config.ProxyConfig defaults = io.mistguard.proxy.config.ProxyConfig.defaults();

        assertThat(RunCommand.environment(defaults, problems, name -> name.equals("MISTGUARD_ADMIN_TOKEN")
                ? "s3cret\n" : null).admin().token()).isEqualTo("s3cret");
        assertThat(problems).isEmpty();
        RunCommand.environment(defaults, problems, name -> name.equals("MISTGUARD_ADMIN_TOKEN") ? " \t" : null);
        assertThat(problems).containsExactly(
                "MISTGUARD_ADMIN_TOKEN: only whitespace (expected: a secret, or unset for none)");
    }

    /** Found by review: a token with a line break inside it ended the start with IllegalArgumentException's trace. */
    @Test
    void aTokenFromTheEnvironmentThatNoHeaderCanCarryIsAProblemNotAStackTraceRegression() {
        java.util.List<String> problems = new java.util.ArrayList<>();
        RunCommand.environment(io.mistguard.proxy.config.ProxyConfig.defaults(), problems,
                               name -> name.equals("MISTGUARD_ADMIN_TOKEN") ? "s3c\nret\n" : null);
        assertThat(problems).singleElement().asString().startsWith("MISTGUARD_ADMIN_TOKEN: has a control character "
                                                                     + "at position 4 (U+000A)");
    }

    /**
     * An unknown MISTGUARD_LOG_FORMAT crashed with IllegalArgumentException's stack trace instead of the
     * refusal every other bad value gets.
     */
    @Test
    void anUnknownLogFormatFromTheEnvironmentIsAProblemNotAStackTraceRegression() {
        java.util.List<String> problems = new java.util.ArrayList<>();
        io.mistguard.proxy.config.ProxyConfig defaults = io.mistguard.proxy.config.ProxyConfig.defaults();

        assertThat(RunCommand.environment(defaults, problems, name -> name.equals("MISTGUARD_LOG_FORMAT") ? "yaml" : null))
                .isEqualTo(defaults);
        assertThat(problems).containsExactly(
                "MISTGUARD_LOG_FORMAT: \"yaml\" is not a log format (expected: text or json)");
        problems.clear();
        assertThat(RunCommand.environment(defaults, problems, name -> name.equals("MISTGUARD_LOG_FORMAT") ? " json\n" : null)
                .logging().format()).isEqualTo(io.mistguard.proxy.config.LoggingConfig.Format.JSON);
        assertThat(problems).isEmpty();
    }

    /** Issue 13: a port in use printed Netty's stack trace; now one line naming the address and its flag, exit 1. */
    @Test
    void aListenPortInUseIsOneLineNamingTheFlagRegression(@TempDir Path dir) throws Exception {
        Path file = quietConfig(dir);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            assertThat(run("--config", file.toString(), "--listen", "127.0.0.1:" + port, "--admin-listen",
                           "127.0.0.1:0")).isEqualTo(1);

            assertThat(err.toString().lines()).containsExactly("mistguard: cannot listen on 127.0.0.1:" + port
                    + " (--listen): Address already in use");
        }
    }

    /** Found by review: a listen host that does not resolve printed java.nio.channels.UnresolvedAddressException. */
    @Test
    void aListenHostThatDoesNotResolveIsSaidInWordsRegression(@TempDir Path dir) throws Exception {
        Path file = quietConfig(dir);

        assertThat(run("--config", file.toString(), "--listen", "nosuchhost.invalid:4299", "--admin-listen",
                       "127.0.0.1:0")).isEqualTo(1);

        assertThat(err.toString().lines()).containsExactly("mistguard: cannot listen on nosuchhost.invalid:4299 "
                + "(--listen): the host name does not resolve to an address here (expected: an address, or a name "
                + "this host resolves, like 127.0.0.1 or localhost)");
    }

    @Test
    void anAdminPortInUseNamesTheConfigKeyWhenNoFlagSetItRegression(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Path file = dir.resolve("m.yaml");
            Files.writeString(file, "listen: 127.0.0.1:0\nadmin: {listen: 127.0.0.1:" + port + "}\n"
                                    + "invalidations: {state_file: \"\"}\n");

            assertThat(run("--config", file.toString())).isEqualTo(1);

            assertThat(err.toString().lines()).containsExactly("mistguard: cannot listen on 127.0.0.1:" + port
                    + " (admin.listen in " + file + " or its default; --admin-listen overrides it): "
                    + "Address already in use");
        }
    }

    /** The README says --listen and --admin-listen work with --demo: they do, port in use included. */
    @Test
    void theDemoHonoursListenAndReportsAPortInUseRegression(@TempDir Path dir) throws Exception {
        Path file = quietConfig(dir);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            assertThat(run("--demo", "--config", file.toString(), "--listen", "127.0.0.1:0", "--admin-listen",
                           "127.0.0.1:" + port)).isEqualTo(1);

            assertThat(err.toString().lines()).containsExactly("mistguard: cannot listen on 127.0.0.1:" + port
                    + " (--admin-listen): Address already in use");
        }
    }

    /** No state file in the module directory. */
    private static Path quietConfig(Path dir) throws Exception {
        Path file = dir.resolve("quiet.yaml");
        Files.writeString(file, "invalidations: {state_file: \"\"}\nlogging: {access_log: false}\n");
        return file;
    }

    @Test
    void unknownFlagIsAUsageError() {
        assertThat(run("--nope")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--nope'");
    }

    /** Review of #13: an unknown flag hid every other problem (picocli stops at it). */
    @Test
    void anUnknownFlagDoesNotHideTheOtherProblemsRegression() {
        assertThat(run("--listen", "nope", "--admin-listen", "1.2.3.4:99999", "--upstream", "ftp://x", "--bogus"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--bogus'").contains("  --listen: ")
                                  .contains("  --admin-listen: ").contains("  --upstream: ");
    }

    /**
     * The command line is built without picocli's annotations (startup cost): its help must still
     * read as it did with them, flags in the order given, the standard -h/-V last, the subcommand
     * and the exit statuses listed.
     */
    @Test
    void helpKeepsItsLayoutWithoutAnnotations() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).startsWith("""
                Usage: mistguard [-hV] [--demo] [--admin-listen=HOST:PORT] [--config=FILE]
                                 [--listen=HOST:PORT] [--upstream=URL] [COMMAND]
                A resilience sidecar for MistServer's HTTP API: callers talk to mistguard,
                mistguard talks to Mist.

                      --config=FILE        YAML configuration file (default: built-in defaults)
                      --listen=HOST:PORT   where callers connect (default 127.0.0.1:4243)
                """).contains("""
                  -h, --help               Show this help message and exit.
                  -V, --version            Print version information and exit.
                Commands:
                  check-config  Validate a config file""").endsWith("""
                Exit status:
                  0   stopped cleanly (SIGTERM/SIGINT)
                  1   failed at run time (e.g. port in use)
                  2   bad configuration or flags
                """);
    }

    @Test
    void aFlagGivenTwiceOrWithoutItsValueIsAUsageError() {
        assertThat(run("--demo", "--demo")).isEqualTo(2);
        assertThat(err.toString()).contains("option '--demo' should be specified only once");
        assertThat(run("--listen")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter for option '--listen' (HOST:PORT)");
    }

    @Test
    void checkConfigWithoutItsFileIsAUsageErrorAndNamesTheVersion() {
        assertThat(run("check-config")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'FILE'")
                                  .contains("Usage: mistguard check-config [-hV] FILE");
        assertThat(run("check-config", "--version")).isZero();
        assertThat(out.toString()).startsWith("mistguard ");
    }
}
