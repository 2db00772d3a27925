package io.mistguard.proxy.config;
import java.time.Duration;
public record ProxyConfig(HostPort listen, UpstreamConfig upstream, Duration requestTimeout, LimitsConfig limits, AdminConfig admin, Duration shutdownGrace, int ioThreads) {
    public static ProxyConfig defaults() {
        return new ProxyConfig(new HostPort("127.0.0.1", 4243), new UpstreamConfig("127.0.0.1", 4242, Duration.ofSeconds(1), 32, Duration.ofSeconds(30), 64L << 20),
            Duration.ofSeconds(10), new LimitsConfig(8192, 16384, 1 << 20, 10000, Duration.ofSeconds(60)), new AdminConfig(new HostPort("127.0.0.1", 4244)), Duration.ofSeconds(10), 0);
    }
    public ProxyConfig withListen(HostPort l) { return new ProxyConfig(l, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads); }
    public ProxyConfig withAdminListen(HostPort l) { return new ProxyConfig(listen, upstream, requestTimeout, limits, new AdminConfig(l), shutdownGrace, ioThreads); }
    public ProxyConfig withUpstream(String url) { java.net.URI u = java.net.URI.create(url); return new ProxyConfig(listen, new UpstreamConfig(u.getHost(), u.getPort() < 0 ? 80 : u.getPort(), upstream.connectTimeout(), upstream.maxIdleConnectionsPerThread(), upstream.idleTimeout(), upstream.maxResponseBytes()), requestTimeout, limits, admin, shutdownGrace, ioThreads); }
}
