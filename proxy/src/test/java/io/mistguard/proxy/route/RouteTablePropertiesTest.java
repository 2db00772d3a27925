package io.mistguard.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.classify.CommandEncoding;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.RouteConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the shipped route table (issue #14): every request gets exactly one route and the
 * catch-all is the last resort; the route is the first whose match holds; a command's keys decide,
 * not their order or the path; and a route that matches nothing, put first, changes nothing.
 */
class RouteTablePropertiesTest {

    private static final List<RouteConfig> SHIPPED = load();
    private static final RouteTable TABLE = new RouteTable(SHIPPED);
    private static final List<String> KEYS = List.of("active_streams", "stats_streams", "push_list", "push_auto_list",
            "config", "invalidate_sessions", "stop_sessions", "nuke_stream", "push_auto_add", "push_auto_remove",
            "push_stop", "authorize", "x");

    private static List<RouteConfig> load() {
        try {
            return ConfigLoader.load(Path.of("..", "deploy", "mistguard.yaml")).policy().routes();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Provide
    Arbitrary<MistRequest> requests() {
        Arbitrary<String> method = Arbitraries.of("GET", "POST", "HEAD", "OPTIONS", "DELETE", "PUT");
        Arbitrary<String> path = Arbitraries.oneOf(Arbitraries.of("/", "/api", "/api2", "/koekjes", "/koekjes.json",
                "/koekjesX", "/ws"), Arbitraries.strings().ofMaxLength(10).map(s -> "/" + s));
        Arbitrary<Set<String>> keys = Arbitraries.of(KEYS).set().ofMaxSize(4);
        Arbitrary<String> command = Arbitraries.of("{\"config\":{}}", "{\"config\": {} }", null, "{}");
        return net.jqwik.api.Combinators.combine(method, path, keys, command)
                .as((m, p, k, c) -> new MistRequest(m, p, k, k.isEmpty() ? CommandEncoding.NONE : CommandEncoding.FORM_BODY,
                        k.isEmpty() ? null : c != null && k.equals(Set.of("config")) ? c : "{}", !k.isEmpty()));
    }

    @Property(tries = 2000)
    void everyRequestGetsTheFirstRouteWhoseMatchHolds(@ForAll("requests") MistRequest request) {
        RouteConfig chosen = TABLE.match(request);
        int index = TABLE.indexOf(request);
        assertThat(chosen).isNotNull();
        assertThat(SHIPPED.get(index)).isSameAs(chosen);
        for (int earlier = 0; earlier < index; earlier++) {
            RouteTable alone = new RouteTable(List.of(SHIPPED.get(earlier), SHIPPED.get(SHIPPED.size() - 1)));
            assertThat(alone.indexOf(request)).as("an earlier route matched: " + SHIPPED.get(earlier).name())
                    .isEqualTo(1);
        }
    }

    @Property(tries = 1000)
    void theCommandsKeysDecideNotTheirOrder(@ForAll("requests") MistRequest request) {
        List<String> reversed = new ArrayList<>(request.commandKeys());
        java.util.Collections.reverse(reversed);
        MistRequest same = new MistRequest(request.method(), request.path(), new java.util.LinkedHashSet<>(reversed),
                request.encoding(), request.command(), request.parsable());
        assertThat(TABLE.match(same)).isSameAs(TABLE.match(request));
    }

    @Property(tries = 1000)
    void aRouteThatMatchesNothingChangesNothing(@ForAll("requests") MistRequest request) {
        RouteConfig never = SHIPPED.stream().filter(r -> r.name().equals("nuke-stream")).findFirst().orElseThrow();
        List<RouteConfig> withNever = new ArrayList<>();
        withNever.add(new RouteConfig("never", new io.mistguard.proxy.config.RouteMatch("NEVER", "/never", Set.of("none"),
                null), never.kind(), never.timeout(), never.perTryTimeout(), never.retry(), never.breaker(),
                never.admission(), never.rejection(), never.callerTimeout(), never.caching()));
        withNever.addAll(SHIPPED);
        assertThat(new RouteTable(withNever).match(request)).isSameAs(TABLE.match(request));
    }
}
