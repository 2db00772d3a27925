package io.mistguard.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.MistCommands;
import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.RouteConfig;
import io.netty.buffer.Unpooled;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shipped route table ({@code deploy/mistguard.yaml}) classifies every command of mist-api.md §3 correctly. */
class ShippedRouteTableTest {

    private static final PolicyConfig SHIPPED = load();
    private static final RouteTable TABLE = new RouteTable(SHIPPED.routes());

    private static PolicyConfig load() {
        try {
            return ConfigLoader.load(Path.of("..", "deploy", "mistguard.yaml")).policy();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0} -> {1} ({2})")
    @CsvSource({
            "GetState,                  get-state,           read",
            "config read,               config-read,         read",
            "config triggers write,     config-write,        write",
            "invalidate_sessions,       invalidate-sessions, queued",
            "invalidate_sessions array, invalidate-sessions, queued",
            "stop_sessions,             stop-sessions,       write",
            "nuke_stream,               nuke-stream,         write",
            "push_auto_add,             push-auto-add,       write",
            "push_auto_remove,          push-auto-remove,    write",
            "push_stop,                 push-stop,           write",
            "authorize,                 catch-all,           passthrough",
    })
    void catalystCommandsPostedAsFormsGetTheirRoute(String command, String route, String kind) {
        String json = MistCommands.ALL.stream().filter(c -> c.name().equals(command)).findFirst().orElseThrow().json();
        String form = "command=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
        MistRequest request = new CommandClassifier().classify("POST", "/", "application/x-www-form-urlencoded",
                Unpooled.copiedBuffer(form, StandardCharsets.UTF_8));

        RouteConfig chosen = TABLE.match(request);

        assertThat(chosen.name()).isEqualTo(route);
        assertThat(chosen.kind().configName()).isEqualTo(kind);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "GET,  /koekjes,      prometheus",
            "GET,  /koekjes.json, prometheus",
            "POST, /koekjes,      catch-all",
            "GET,  /,             catch-all",
            "GET,  /api2,         catch-all",
    })
    void pathsGetTheirRoute(String method, String path, String route) {
        MistRequest request = new CommandClassifier().classify(method, path, null, Unpooled.EMPTY_BUFFER);
        assertThat(TABLE.match(request).name()).isEqualTo(route);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"get-state", "prometheus"})
    void readsCallersPollEveryFiveSecondsAreAnsweredInTime(String route) {
        RouteConfig r = SHIPPED.route(route);
        assertThat(r.timeout()).isLessThan(Duration.ofMillis(4500));
        assertThat(r.staleMaxAge()).as("stale within the 5-10s every consumer tolerates")
                                   .isLessThanOrEqualTo(Duration.ofSeconds(10));
    }
}
