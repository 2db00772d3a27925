package io.mistguard.proxy.reload;

import io.mistguard.proxy.config.ProxyConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The sections a reload does not apply: they shape listeners, connections and threads made at
 * start. Listing which of them changed tells the operator that a restart is needed for them.
 */
final class RestartOnly {

    private RestartOnly() {}

    /** The top-level keys whose values differ between {@code running} and {@code loaded}. */
    static List<String> changed(ProxyConfig running, ProxyConfig loaded) {
        List<String> keys = new ArrayList<>();
        add(keys, "listen", running.listen(), loaded.listen());
        add(keys, "upstream", running.upstream(), loaded.upstream());
        add(keys, "limits", running.limits(), loaded.limits());
        add(keys, "admin", running.admin(), loaded.admin());
        add(keys, "shutdown_grace", running.shutdownGrace(), loaded.shutdownGrace());
        add(keys, "io_threads", running.ioThreads(), loaded.ioThreads());
        add(keys, "io_transport", running.ioTransport(), loaded.ioTransport());
        add(keys, "invalidations", running.invalidations(), loaded.invalidations());
        add(keys, "logging", running.logging(), loaded.logging());
        add(keys, "trusted_peers", running.trustedPeers(), loaded.trustedPeers());
        add(keys, "websocket", running.websocket(), loaded.websocket());
        add(keys, "triggers", running.triggers(), loaded.triggers());
        return keys;
    }

    private static void add(List<String> keys, String key, Object running, Object loaded) {
        if (!running.equals(loaded)) {
            keys.add(key);
        }
    }
}
