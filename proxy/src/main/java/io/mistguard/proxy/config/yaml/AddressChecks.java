package io.mistguard.proxy.config.yaml;

import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.TriggersConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * mistguard's address rules, stated once: its listeners must be different sockets, and no upstream
 * may reach one of its own listeners ({@link Endpoints}: by the text of the addresses, never DNS),
 * or requests would go round in a circle until they time out. Applied twice: to the file as it
 * loads ({@link #check}, each problem at the key to change, and only where the keys a rule compares
 * bound without a problem), and to the effective configuration after the command line's
 * {@code --listen}, {@code --upstream} and {@code --admin-listen} ({@link #problems}), since the
 * file's own checks cannot see a loop or a clash that a flag makes (found by review:
 * {@code --upstream} pointing at {@code --listen} started, and every request looped). Stateless.
 */
final class AddressChecks {

    private AddressChecks() {}

    /** One rule broken: the key to change, the keys the rule compared, and what is wrong there. */
    private record Broken(String key, List<String> compared, String message) {}

    /**
     * The rules, in groups: of each group only the first rule that is broken counts (and, in the
     * file, the first whose compared keys all bound), so one wrong address is reported once.
     */
    private static List<List<Broken>> broken(ProxyConfig config) {
        HostPort listen = config.listen();
        HostPort admin = config.admin().listen();
        HostPort upstream = config.upstream().address();
        String url = config.upstream().url();
        List<List<Broken>> groups = new ArrayList<>();
        groups.add(when(Endpoints.collide(listen, admin), new Broken("admin.listen", List.of("listen", "admin.listen"),
                admin + " is also the proxy's listen address (expected: a different port)")));
        List<Broken> upstreamLoops = new ArrayList<>(when(Endpoints.reaches(upstream, listen),
                new Broken("upstream.url", List.of("listen", "upstream.url"), url + " is mistguard's own listen address "
                           + listen + ", so requests would loop (expected: Mist's API address)")));
        upstreamLoops.addAll(when(Endpoints.reaches(upstream, admin), new Broken("upstream.url",
                List.of("admin.listen", "upstream.url"), url + " is mistguard's own admin listen address " + admin
                + " (expected: Mist's API address)")));
        groups.add(upstreamLoops);
        TriggersConfig triggers = config.triggers();
        if (!triggers.enabled()) {
            return groups;
        }
        HostPort own = triggers.listen();
        upstreamLoops.addAll(when(Endpoints.reaches(upstream, own), new Broken("upstream.url",
                List.of("triggers.listen", "upstream.url"), url + " is mistguard's own trigger listen address "
                + own + " (expected: Mist's API address)")));
        List<Broken> clashes = new ArrayList<>(when(Endpoints.collide(own, listen), new Broken("triggers.listen",
                List.of("triggers.listen", "listen"), own + " is also the proxy's listen address (expected: a "
                + "different port)")));
        clashes.addAll(when(Endpoints.collide(own, admin), new Broken("triggers.listen",
                List.of("triggers.listen", "admin.listen"), own + " is also the admin listen address (expected: "
                + "a different port)")));
        groups.add(clashes);
        HostPort target = triggers.upstream().address();
        String catalyst = "(expected: catalyst-api's address, like " + TriggersConfig.Upstream.CATALYST + ')';
        List<Broken> triggerLoops = new ArrayList<>(when(Endpoints.reaches(target, own), new Broken(
                "triggers.upstream", List.of("triggers.upstream", "triggers.listen"), triggers.upstream()
                + " is the trigger listener's own address, so every trigger would be forwarded back to it for "
                + "ever " + catalyst)));
        triggerLoops.addAll(when(Endpoints.reaches(target, listen), new Broken("triggers.upstream",
                List.of("triggers.upstream", "listen"), triggers.upstream() + " is mistguard's own proxy listen "
                + "address " + listen + ", which forwards to Mist, not catalyst-api " + catalyst)));
        triggerLoops.addAll(when(Endpoints.reaches(target, admin), new Broken("triggers.upstream",
                List.of("triggers.upstream", "admin.listen"), triggers.upstream() + " is mistguard's own admin "
                + "listen address " + admin + ' ' + catalyst)));
        groups.add(triggerLoops);
        return groups;
    }

    private static List<Broken> when(boolean broken, Broken rule) {
        return broken ? List.of(rule) : List.of();
    }

    /** Every address problem of an effective {@code config}, each {@code "<key>: <what> (expected: ...)"}; empty if none. */
    static List<String> problems(ProxyConfig config) {
        return first(config, rule -> true).stream().map(b -> b.key() + ": " + b.message()).toList();
    }

    /** Records every address problem of a file as it loads at its key, skipping rules that compare a key that did not bind. */
    static void check(ProxyConfig config, ConfigMapping root) {
        first(config, rule -> rule.compared().stream().allMatch(root::valid))
                .forEach(b -> root.problemAt(b.key(), b.message()));
    }

    private static List<Broken> first(ProxyConfig config, Predicate<Broken> judged) {
        List<Broken> found = new ArrayList<>();
        for (List<Broken> group : broken(config)) {
            group.stream().filter(judged).findFirst().ifPresent(found::add);
        }
        return found;
    }
}
