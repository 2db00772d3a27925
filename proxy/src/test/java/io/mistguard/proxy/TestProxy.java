package io.mistguard.proxy;

import io.mistguard.proxy.config.AdminConfig;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.config.IoTransport;
import io.mistguard.proxy.config.LimitsConfig;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.UpstreamConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real mistguard on an ephemeral loopback port in front of a given upstream port, for tests. */
final class TestProxy implements AutoCloseable {

    final Mistguard mistguard;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    TestProxy(Mistguard mistguard) {
        this.mistguard = mistguard;
    }

    static TestProxy inFrontOf(int upstreamPort, Duration requestTimeout) throws InterruptedException {
        return start(config(upstreamPort, requestTimeout));
    }

    /**
     * Starts mistguard with {@code config}; on the transport {@value #TRANSPORT_PROPERTY} names when
     * that system property is set (to run the integration tests on a transport other than {@code auto}'s
     * epoll by hand, e.g. {@code -Dmistguard.it.io_transport=io_uring}).
     */
    static TestProxy start(ProxyConfig config) throws InterruptedException {
        String transport = System.getProperty(TRANSPORT_PROPERTY);
        return new TestProxy(Mistguard.start(transport == null ? config
                : config.withIoTransport(IoTransport.parse(transport))));
    }

    /** The system property that overrides the configs' {@code io_transport} in {@link #start}. */
    static final String TRANSPORT_PROPERTY = "mistguard.it.io_transport";

    /**
     * One I/O thread, so that keep-alive reuse is deterministic; short grace for fast tests; no
     * invalidation state file, so that tests never leave one in the working directory.
     */
    static ProxyConfig config(int upstreamPort, Duration requestTimeout) {
        return config(upstreamPort, requestTimeout, ProxyConfig.defaults().upstream().maxResponseBytes());
    }

    /** As {@link #config(int, Duration)}, with a smaller answer limit for tests of that limit. */
    static ProxyConfig config(int upstreamPort, Duration requestTimeout, long maxResponseBytes) {
        UpstreamConfig upstream = ProxyConfig.defaults().upstream();
        return new ProxyConfig(new HostPort("127.0.0.1", 0),
                new UpstreamConfig("127.0.0.1", upstreamPort, upstream.connectTimeout(),
                        upstream.maxIdleConnectionsPerThread(), upstream.idleTimeout(), maxResponseBytes),
                requestTimeout, ProxyConfig.defaults().limits(), new AdminConfig(new HostPort("127.0.0.1", 0)),
                Duration.ofSeconds(2), 1)
                .withInvalidations(InvalidationsConfig.defaults().withStateFile(null));
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + mistguard.proxyAddress().getPort() + pathAndQuery);
    }

    URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + mistguard.adminAddress().getPort() + path);
    }

    /** The admin listener's {@code /metrics}, in Prometheus' text format. */
    String metrics() throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(adminUri("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postForm(String path, String form) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        mistguard.close();
    }
}
