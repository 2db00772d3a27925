package io.mistguard.proxy.config.yaml;

import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.TriggersConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The address rules of {@link ConfigChecks} and {@link TriggersBinder}, for a configuration after the
 * command line's flags ({@code --listen}, {@code --upstream}, {@code --admin-listen}) were applied:
 * the file's own checks cannot see a loop or a clash that a flag makes (found by review:
 * {@code --upstream} pointing at {@code --listen} started, and every request went round in a circle
 * until it timed out). Listeners must be different sockets, and no upstream may reach one of
 * mistguard's own listeners ({@link Endpoints}: by the text of the addresses, never DNS).
 * Problems carry no file position: they are the effective configuration's. Stateless.
 */
final class AddressChecks {

    private AddressChecks() {}

    /** Every address problem of {@code config}, each {@code "<key>: <what> (expected: ...)"}; empty if none. */
    static List<String> problems(ProxyConfig config) {
        List<String> problems = new ArrayList<>();
        HostPort listen = config.listen();
        HostPort admin = config.admin().listen();
        if (Endpoints.collide(listen, admin)) {
            problems.add("admin.listen: " + admin + " is also the proxy's listen address (expected: a different port)");
        }
        if (Endpoints.reaches(config.upstream().address(), listen)) {
            problems.add("upstream.url: " + config.upstream().url() + " is mistguard's own listen address " + listen
                         + ", so requests would loop (expected: Mist's API address)");
        } else if (Endpoints.reaches(config.upstream().address(), admin)) {
            problems.add("upstream.url: " + config.upstream().url() + " is mistguard's own admin listen address "
                         + admin + " (expected: Mist's API address)");
        }
        TriggersConfig triggers = config.triggers();
        if (!triggers.enabled()) {
            return problems;
        }
        if (Endpoints.collide(triggers.listen(), listen)) {
            problems.add("triggers.listen: " + triggers.listen() + " is also the proxy's listen address (expected: "
                         + "a different port)");
        } else if (Endpoints.collide(triggers.listen(), admin)) {
            problems.add("triggers.listen: " + triggers.listen() + " is also the admin listen address (expected: "
                         + "a different port)");
        }
        if (Endpoints.reaches(config.upstream().address(), triggers.listen())) {
            problems.add("upstream.url: " + config.upstream().url() + " is mistguard's own trigger listen address "
                         + triggers.listen() + " (expected: Mist's API address)");
        }
        HostPort target = triggers.upstream().address();
        if (Endpoints.reaches(target, triggers.listen())) {
            problems.add("triggers.upstream: " + triggers.upstream() + " is the trigger listener's own address, so "
                         + "every trigger would be forwarded back to it for ever (expected: catalyst-api's address)");
        } else if (Endpoints.reaches(target, listen)) {
            problems.add("triggers.upstream: " + triggers.upstream() + " is mistguard's own proxy listen address "
                         + listen + ", which forwards to Mist, not catalyst-api (expected: catalyst-api's address)");
        } else if (Endpoints.reaches(target, admin)) {
            problems.add("triggers.upstream: " + triggers.upstream() + " is mistguard's own admin listen address "
                         + admin + " (expected: catalyst-api's address)");
        }
        return problems;
    }
}
