package io.mistguard.proxy;

import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.ProxyConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Starts a real mistguard from a YAML route table, in front of a given port, for the policy tests. */
final class PolicyProxies {

    private PolicyProxies() {}

    /**
     * {@code yaml} is a config file; listen, admin and upstream are filled in, one I/O thread, and no
     * invalidation state file (tests must not leave one in the working directory).
     */
    static TestProxy start(String yaml, int upstreamPort) throws Exception {
        ProxyConfig config = ConfigLoader.parse("io_threads: 1\nshutdown_grace: 1s\n" + yaml, "test.yaml");
        return TestProxy.start(onLoopback(config, upstreamPort));
    }

    /** {@code config} on ephemeral loopback ports in front of {@code upstreamPort}, without a state file. */
    static ProxyConfig onLoopback(ProxyConfig config, int upstreamPort) {
        return config.withListen(new HostPort("127.0.0.1", 0))
                .withAdminListen(new HostPort("127.0.0.1", 0))
                .withUpstream("http://127.0.0.1:" + upstreamPort)
                .withInvalidations(config.invalidations().withStateFile(null));
    }

    /** catalyst-api's form-encoded {@code POST /} of {@code command}. */
    static HttpRequest command(TestProxy proxy, String json) {
        return HttpRequest.newBuilder(proxy.uri("/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("command=" + URLEncoder.encode(json, StandardCharsets.UTF_8)))
                .build();
    }

    static HttpRequest get(TestProxy proxy, String path) {
        return HttpRequest.newBuilder(proxy.uri(path)).timeout(Duration.ofSeconds(30)).build();
    }

    static URI uri(TestProxy proxy, String path) {
        return proxy.uri(path);
    }
}
