package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.mistguard.proxy.Mistguard;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.logging.LogCapture;
import io.mistguard.sim.SimMist;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The reload triggers {@code mistguard --config FILE} installs, on a real mistguard: a changed file is
 * picked up by the watcher and served, a broken one is refused with its problems logged while the
 * running routes keep serving, and SIGHUP reloads too.
 *
 * <p>SIGHUP is real: {@link Signal#raise} sends it to this JVM, whose signal dispatcher runs the handler
 * {@link ReloadTriggers#install} registered. The test first checks that this handler is in place (the
 * JVM's own would stop the test JVM), and puts the JVM's handler back afterwards. (sun.misc.Signal
 * wraps handlers it did not make, so identity cannot tell the JVM's from ours; the class name can.)
 *
 * <p>Under {@code nohup} the test JVM starts with SIGHUP ignored, and the JVM then installs no handler
 * for it (measured: {@code Signal.handle} returns {@code SIG_IGN} and a raised SIGHUP reaches
 * nobody). The test then checks instead that mistguard says so at WARN, and leaves SIGHUP alone.
 */
class ReloadTriggersTest {

    private static final Duration WITHIN = Duration.ofSeconds(5);
    private static final Signal HUP = new Signal("HUP");
    private static final String YAML = """
            io_threads: 1
            shutdown_grace: 1s
            routes:
              - name: NAME
                match: {commands: [active_streams]}
                kind: read
              - name: rest
                match: {}
                kind: passthrough
            """;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Found by a CI run: a SIGHUP sent just after "mistguard listening on" ended the process with
     * status 129, as the handler came only once the listeners were up. One held from before the start
     * is acted on when the triggers are installed.
     */
    @Test
    void aSighupDuringStartIsHeldAndActedOnOnceRegression() throws Exception {
        SignalHandler jvmHandler = Signal.handle(HUP, SignalHandler.SIG_DFL);
        Signal.handle(HUP, jvmHandler);
        org.junit.jupiter.api.Assumptions.assumeFalse(jvmHandler == SignalHandler.SIG_IGN, "not under nohup");
        EarlySignals early = null;
        try (LogCapture triggerLog = LogCapture.of(ReloadTriggers.class.getName(), Level.INFO)) {
            early = EarlySignals.begin();
            SignalHandler holding = Signal.handle(HUP, jvmHandler);
            // Raise only into the hold (a lambda of its class): anything else may stop the JVM.
            assertThat(holding.getClass().getName()).startsWith(EarlySignals.class.getName() + "$$Lambda");
            Signal.handle(HUP, holding);
            Signal.raise(HUP);
            long deadline = System.nanoTime() + WITHIN.toNanos();
            while (!early.seen(EarlySignals.Held.HUP) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(early.seen(EarlySignals.Held.HUP)).as("held").isTrue();
            assertThat(triggerLog.events()).isEmpty();

            try (ReloadTriggers triggers = ReloadTriggers.install(null, null, early)) {
                assertThat(triggerLog.events()).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                        "SIGHUP: nothing to reload, mistguard was started without --config; still serving");
            }
        } finally {
            if (early != null) {
                early.release(); // SIGINT and SIGTERM back to the JVM
            }
            Signal.handle(HUP, jvmHandler);
        }
    }

    @Test
    void fileChangesAndSighupReloadAndABrokenFileKeepsTheRunningRoutes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mistguard.yaml");
        Files.writeString(file, YAML.replace("NAME", "state-v1"));
        SignalHandler jvmHandler = Signal.handle(HUP, SignalHandler.SIG_DFL);
        Signal.handle(HUP, jvmHandler);
        boolean hupIgnored = jvmHandler == SignalHandler.SIG_IGN;
        try (SimMist mist = SimMist.builder().streams(1, 1).start();
             LogCapture reloads = LogCapture.of("io.mistguard.proxy.reload.ConfigReloader", Level.INFO);
             LogCapture triggerLog = LogCapture.of(ReloadTriggers.class.getName(), Level.INFO)) {
            UnaryOperator<ProxyConfig> onLoopback = loaded -> onLoopback(loaded, mist.port());
            try (Mistguard mistguard = Mistguard.start(onLoopback.apply(ConfigLoader.load(file)), file, onLoopback::apply);
                 ReloadTriggers triggers = ReloadTriggers.install(file, mistguard)) {
                assertThat(routeOf(mistguard)).isEqualTo("state-v1");

                // A ConfigMap-style swap: the new file is moved over the old one.
                Path next = dir.resolve(".mistguard.yaml.next");
                Files.writeString(next, YAML.replace("NAME", "state-v2"));
                Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                assertThat(reloads.await(message("reload (file change) applied: 2 routes in force"), WITHIN))
                        .isPresent();
                assertThat(routeOf(mistguard)).isEqualTo("state-v2");

                // An editor's save in place, of a file that does not validate.
                Files.writeString(file, YAML.replace("NAME", "state-v3").replace("kind: read", "kind: reed"));
                ILoggingEvent refused = reloads.await(message("reload (file change) refused"), WITHIN).orElseThrow();
                assertThat(refused.getLevel()).isEqualTo(Level.WARN);
                assertThat(refused.getFormattedMessage())
                        .contains("mistguard.yaml:6:11: routes[0].kind: \"reed\" is not a route kind");
                assertThat(refused.getThrowableProxy()).isNull();
                assertThat(routeOf(mistguard)).isEqualTo("state-v2");
                assertThat(mistguard.config().policy().routes()).extracting(r -> r.name())
                        .containsExactly("state-v2", "rest");

                if (hupIgnored) {
                    // nohup: no handler could be installed, and mistguard said so when it tried.
                    assertThat(triggerLog.events()).filteredOn(e -> e.getLevel() == Level.WARN)
                            .extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                            .startsWith("SIGHUP is ignored by this process")
                            .contains("POST /admin/reload");
                    return;
                }
                assertThat(triggerLog.events()).filteredOn(e -> e.getLevel() == Level.WARN).isEmpty();

                // SIGHUP with the broken file still there: the signal reaches the reloader, which refuses again.
                SignalHandler installed = Signal.handle(HUP, jvmHandler);
                // Raise only into a handler ReloadTriggers made (a lambda of its class): anything else may stop the JVM.
                assertThat(installed.getClass().getName()).as("the SIGHUP handler in place")
                        .startsWith(ReloadTriggers.class.getName() + "$$Lambda");
                Signal.handle(HUP, installed);
                Signal.raise(HUP);
                ILoggingEvent hup = reloads.await(message("reload (SIGHUP) refused"), WITHIN).orElseThrow();
                assertThat(hup.getFormattedMessage()).contains("routes[0].kind: \"reed\" is not a route kind");
                assertThat(routeOf(mistguard)).isEqualTo("state-v2");
                // The in-place save (truncate, then write) was one change after the debounce: one reload.
                assertThat(reloads.events()).filteredOn(message("reload (file change) refused")).hasSize(1);
            }
        } finally {
            Signal.handle(HUP, jvmHandler);
        }
    }

    private static Predicate<ILoggingEvent> message(String start) {
        return e -> e.getFormattedMessage().startsWith(start);
    }

    /** The route a GetState-style read is answered by, from its {@code Mistguard-Route} header. */
    private String routeOf(Mistguard mistguard) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + mistguard.proxyAddress().getPort()
                + "/api2?command=%7B%22active_streams%22%3Atrue%7D");
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).header("Cache-Control", "no-cache")
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        return answer.headers().firstValue("Mistguard-Route").orElseThrow();
    }

    private static ProxyConfig onLoopback(ProxyConfig config, int mistPort) {
        return config.withListen(new HostPort("127.0.0.1", 0)).withAdminListen(new HostPort("127.0.0.1", 0))
                .withUpstream("http://127.0.0.1:" + mistPort)
                .withInvalidations(config.invalidations().withStateFile(null));
    }
}
