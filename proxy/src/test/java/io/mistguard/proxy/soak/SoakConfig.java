package io.mistguard.proxy.soak;

import io.mistguard.proxy.LoopbackPorts;
import io.mistguard.proxy.config.AdmissionConfig;
import io.mistguard.proxy.config.ConfigException;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.RouteConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The soak's mistguard config file: {@code soak/mistguard-soak.yaml} with its ports and paths filled
 * in, written owner-only (it holds the admin token), then loaded with mistguard's own loader so that
 * what the soak derives from it — the bound on connections to Mist — follows the file. The ports
 * stay the same across the restart, so callers reconnect to the same address. Immutable.
 */
final class SoakConfig {

    static final String ADMIN_TOKEN = "soak-admin-token";

    final Path file;
    final Path stateFile;
    final int proxyPort;
    final int adminPort;
    final int triggerPort;
    final ProxyConfig loaded;

    private SoakConfig(Path file, Path stateFile, int proxyPort, int adminPort, int triggerPort, ProxyConfig loaded) {
        this.file = file;
        this.stateFile = stateFile;
        this.proxyPort = proxyPort;
        this.adminPort = adminPort;
        this.triggerPort = triggerPort;
        this.loaded = loaded;
    }

    /** {@code triggerPort} is chosen first ({@link LoopbackPorts#free()}): sim-mist must know it before this file exists. */
    static SoakConfig write(Path dir, int mistPort, int catalystPort, int trigger) throws IOException, ConfigException {
        int proxy = LoopbackPorts.free();
        int admin = LoopbackPorts.free();
        Path state = dir.resolve("invalidations.state");
        String yaml;
        try (InputStream in = SoakConfig.class.getResourceAsStream("/soak/mistguard-soak.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (Map.Entry<String, Object> v : Map.<String, Object>of("proxy_port", proxy, "admin_port", admin,
                "trigger_port", trigger, "mist_port", mistPort, "catalyst_port", catalystPort,
                "admin_token", ADMIN_TOKEN, "state_file", state.toString()).entrySet()) {
            yaml = yaml.replace("${" + v.getKey() + "}", v.getValue().toString());
        }
        Path file = dir.resolve("mistguard-soak.yaml");
        Files.writeString(file, yaml);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return new SoakConfig(file, state, proxy, admin, trigger, ConfigLoader.load(file));
    }

    /**
     * The most connections to Mist this config allows when {@code remoteCallers} client connections
     * are not local-equivalent: idle pooled connections (per I/O thread), one per admission slot
     * (every attempt holds one), the invalidation drainer's one call, the WebSocket tunnels, and one
     * pinned connection per remote client connection. Requires every route to have an admission pool.
     */
    int upstreamConnectionBound(int remoteCallers) {
        for (RouteConfig r : loaded.policy().routes()) {
            if (r.admission() == null) {
                throw new IllegalStateException("route " + r.name() + " has no admission pool: nothing bounds it");
            }
        }
        int slots = loaded.policy().admissions().values().stream().mapToInt(AdmissionConfig::maxConcurrent).sum();
        return loaded.ioThreads() * loaded.upstream().maxIdleConnectionsPerThread() + slots + 1
                + loaded.websocket().maxOpen() + remoteCallers;
    }
}
