package io.mistguard.proxy.config.yaml;

import io.mistguard.proxy.config.AdminConfig;
import io.mistguard.proxy.config.Cidr;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.config.IoTransport;
import io.mistguard.proxy.config.LimitsConfig;
import io.mistguard.proxy.config.LoggingConfig;
import io.mistguard.proxy.config.PolicyConfig;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.config.TrustedPeers;
import io.mistguard.proxy.config.UpstreamConfig;
import io.mistguard.proxy.config.WebSocketConfig;
import java.time.Duration;

/**
 * The schema of the config file: which snake_case key feeds which record field, with its bounds.
 *
 * <p>Defaults come from the records' {@code defaults()}, so an absent key and {@code deploy/mistguard.yaml}
 * cannot disagree with the code. Bounds match the records' own checks; when a value is bad the
 * default stands in and binding continues, so that every problem is reported in one pass.
 */
final class ProxyConfigBinder {

    private static final int MAX_INT_BYTES = Integer.MAX_VALUE;

    private ProxyConfigBinder() {}

    static ProxyConfig bind(ConfigMapping root) {
        ProxyConfig d = ProxyConfig.defaults();
        HostPort listen = root.hostPort("listen", d.listen());
        UpstreamConfig upstream = root.mapping("upstream", ProxyConfigBinder::upstream);
        Duration requestTimeout = root.duration("request_timeout", d.requestTimeout(), false);
        LimitsConfig limits = root.mapping("limits", ProxyConfigBinder::limits);
        AdminConfig admin = root.mapping("admin", ProxyConfigBinder::admin);
        Duration shutdownGrace = root.duration("shutdown_grace", d.shutdownGrace(), true);
        int ioThreads = root.integer("io_threads", d.ioThreads(), 0, ProxyConfig.MAX_IO_THREADS);
        IoTransport ioTransport = root.value("io_transport")
                .flatMap(v -> v.scalar("an I/O transport", IoTransport.EXPECTED, IoTransport::parse))
                .orElse(d.ioTransport());
        PolicyConfig policy = RoutesBinder.bind(root, requestTimeout);
        InvalidationsConfig invalidations = root.mapping("invalidations", InvalidationsBinder::bind);
        LoggingConfig logging = root.mapping("logging", ProxyConfigBinder::logging);
        // Absent: loopback only. Present but empty: nobody is trusted.
        TrustedPeers trustedPeers = root.value("trusted_peers").flatMap(ConfigValue::asList)
                .map(items -> new TrustedPeers(items.stream()
                        .map(v -> v.scalar("an IP address block", Cidr.EXPECTED, Cidr::parse))
                        .flatMap(java.util.Optional::stream).toList()))
                .orElse(d.trustedPeers());
        WebSocketConfig websocket = root.mapping("websocket", ProxyConfigBinder::websocket);
        // Absent: no trigger listener. Present (even empty): one, with every default.
        TriggersConfig triggers = root.value("triggers").flatMap(v -> v.asMapping(TriggersBinder::bind))
                .orElse(TriggersConfig.defaults());
        return new ProxyConfig(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy,
                               invalidations, logging, trustedPeers, websocket, triggers, ioTransport);
    }

    private static UpstreamConfig upstream(ConfigMapping m) {
        UpstreamConfig d = UpstreamConfig.defaults();
        HostPort address = m.value("url").flatMap(ConfigValue::asHttpUrl).orElse(d.address());
        Duration connectTimeout = m.duration("connect_timeout", d.connectTimeout(), false);
        int maxIdle = m.integer("max_idle_connections_per_thread", d.maxIdleConnectionsPerThread(),
                                1, Integer.MAX_VALUE);
        Duration idleTimeout = m.duration("idle_timeout", d.idleTimeout(), false);
        long maxResponseBytes = m.byteSize("max_response_bytes", d.maxResponseBytes(),
                                           1, UpstreamConfig.MAX_RESPONSE_BYTES_LIMIT);
        return new UpstreamConfig(address.host(), address.port(), connectTimeout, maxIdle, idleTimeout,
                                  maxResponseBytes);
    }

    private static LimitsConfig limits(ConfigMapping m) {
        LimitsConfig d = LimitsConfig.defaults();
        int maxInitialLine = m.intByteSize("max_initial_line_bytes", d.maxInitialLineBytes(), 1, MAX_INT_BYTES);
        int maxHeader = m.intByteSize("max_header_bytes", d.maxHeaderBytes(), 1, MAX_INT_BYTES);
        long maxBody = m.byteSize("max_body_bytes", d.maxBodyBytes(), 1, LimitsConfig.MAX_BODY_BYTES_LIMIT);
        int maxConnections = m.integer("max_connections", d.maxConnections(), 1, Integer.MAX_VALUE);
        Duration clientIdle = m.duration("client_idle_timeout", d.clientIdleTimeout(), false);
        Duration headerRead = m.duration("header_read_timeout", d.headerReadTimeout(), false);
        Duration bodyRead = m.duration("body_read_timeout", d.bodyReadTimeout(), false);
        return new LimitsConfig(maxInitialLine, maxHeader, maxBody, maxConnections, clientIdle, headerRead, bodyRead);
    }

    private static AdminConfig admin(ConfigMapping m) {
        String token = m.string("token", AdminConfig.defaults().token());
        String problem = AdminConfig.tokenProblem(token);
        if (problem != null) {
            m.problemAt("token", problem); // its value is never quoted: it is a secret
            token = AdminConfig.defaults().token();
        }
        return new AdminConfig(m.hostPort("listen", AdminConfig.defaults().listen()), token);
    }

    private static WebSocketConfig websocket(ConfigMapping m) {
        WebSocketConfig d = WebSocketConfig.defaults();
        return new WebSocketConfig(m.duration("handshake_timeout", d.handshakeTimeout(), false),
                                   m.duration("idle_timeout", d.idleTimeout(), false),
                                   m.integer("max_open", d.maxOpen(), 1, WebSocketConfig.MAX_OPEN_LIMIT));
    }

    private static LoggingConfig logging(ConfigMapping m) {
        LoggingConfig d = LoggingConfig.defaults();
        LoggingConfig.Format format = m.value("format")
                .flatMap(v -> v.scalar("a log format", "text or json", LoggingConfig.Format::parse)).orElse(d.format());
        return new LoggingConfig(m.bool("access_log", d.accessLog()), format);
    }
}
