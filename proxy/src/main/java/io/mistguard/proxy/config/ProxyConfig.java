package io.mistguard.proxy.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;

/**
 * The whole validated configuration of one mistguard process. Immutable; a reload builds a new
 * instance and swaps it in.
 *
 * @param listen where callers connect (in place of Mist's {@code 127.0.0.1:4242})
 * @param upstream how to reach Mist
 * @param requestTimeout the total budget for one request, from the caller's point of view
 * @param limits bounds on what callers may send and hold
 * @param admin the admin listener
 * @param shutdownGrace how long in-flight work may finish on shutdown; 0 stops at once
 * @param ioThreads event loop threads; 0 means one per available core
 * @param policy the route table with its breakers and admission pools
 * @param invalidations the {@code invalidate_sessions} queue
 * @param logging the access log and the log format
 * @param trustedPeers the callers that may be presented to Mist as local ({@link TrustedPeers})
 * @param websocket WebSocket upgrades passed through to Mist
 * @param triggers the trigger listener in front of catalyst-api (off unless configured)
 * @param ioTransport the event loops' kernel interface ({@code io_transport})
 */
public record ProxyConfig(HostPort listen, UpstreamConfig upstream, Duration requestTimeout, LimitsConfig limits,
                          AdminConfig admin, Duration shutdownGrace, int ioThreads, PolicyConfig policy,
                          InvalidationsConfig invalidations, LoggingConfig logging, TrustedPeers trustedPeers,
                          WebSocketConfig websocket, TriggersConfig triggers, IoTransport ioTransport) {

    /** More event loops than this only adds context switches on any machine Mist runs on. */
    public static final int MAX_IO_THREADS = 1024;

    private static final ProxyConfig DEFAULTS =
            new ProxyConfig(new HostPort("127.0.0.1", 4243), UpstreamConfig.defaults(), Duration.ofSeconds(10),
                            LimitsConfig.defaults(), AdminConfig.defaults(), Duration.ofSeconds(10), 0,
                            PolicyConfig.defaults(), InvalidationsConfig.defaults(), LoggingConfig.defaults(),
                            TrustedPeers.defaults(), WebSocketConfig.defaults(), TriggersConfig.defaults(),
                            IoTransport.AUTO);

    public ProxyConfig {
        requireNonNull(listen, "listen");
        requireNonNull(upstream, "upstream");
        Require.positive(requestTimeout, "requestTimeout");
        requireNonNull(limits, "limits");
        requireNonNull(admin, "admin");
        Require.notNegative(shutdownGrace, "shutdownGrace");
        Require.inRange(ioThreads, 0, MAX_IO_THREADS, "ioThreads");
        requireNonNull(policy, "policy");
        requireNonNull(invalidations, "invalidations");
        requireNonNull(logging, "logging");
        requireNonNull(trustedPeers, "trustedPeers");
        requireNonNull(websocket, "websocket");
        requireNonNull(triggers, "triggers");
        requireNonNull(ioTransport, "ioTransport");
    }

    /** A configuration with the default {@code io_transport} ({@code auto}). */
    public ProxyConfig(HostPort listen, UpstreamConfig upstream, Duration requestTimeout, LimitsConfig limits,
                       AdminConfig admin, Duration shutdownGrace, int ioThreads, PolicyConfig policy,
                       InvalidationsConfig invalidations, LoggingConfig logging, TrustedPeers trustedPeers,
                       WebSocketConfig websocket, TriggersConfig triggers) {
        this(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy, invalidations,
             logging, trustedPeers, websocket, triggers, IoTransport.AUTO);
    }

    /** A configuration without a trigger listener. */
    public ProxyConfig(HostPort listen, UpstreamConfig upstream, Duration requestTimeout, LimitsConfig limits,
                       AdminConfig admin, Duration shutdownGrace, int ioThreads, PolicyConfig policy,
                       InvalidationsConfig invalidations, LoggingConfig logging, TrustedPeers trustedPeers,
                       WebSocketConfig websocket) {
        this(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy, invalidations,
             logging, trustedPeers, websocket, TriggersConfig.defaults());
    }

    /** Returns a copy with another {@code triggers:} section. */
    public ProxyConfig withTriggers(TriggersConfig triggers) {
        return new ProxyConfig(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy,
                               invalidations, logging, trustedPeers, websocket, triggers, ioTransport);
    }

    /** A configuration with the default {@code trusted_peers} (loopback only) and {@code websocket:}. */
    public ProxyConfig(HostPort listen, UpstreamConfig upstream, Duration requestTimeout, LimitsConfig limits,
                       AdminConfig admin, Duration shutdownGrace, int ioThreads, PolicyConfig policy,
                       InvalidationsConfig invalidations, LoggingConfig logging) {
        this(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy, invalidations,
             logging, TrustedPeers.defaults(), WebSocketConfig.defaults());
    }

    /** A configuration with the default {@code logging:} section. */
    public ProxyConfig(HostPort listen, UpstreamConfig upstream, Duration requestTimeout, LimitsConfig limits,
                       AdminConfig admin, Duration shutdownGrace, int ioThreads, PolicyConfig policy,
                       InvalidationsConfig invalidations) {
        this(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy, invalidations,
             LoggingConfig.defaults());
    }

    /** Returns a copy with another admin section (the admin token from the environment). */
    public ProxyConfig withAdmin(AdminConfig admin) {
        return new ProxyConfig(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy,
                               invalidations, logging, trustedPeers, websocket, triggers, ioTransport);
    }

    /** Returns a copy with another {@code logging:} section (the format from the environment). */
    public ProxyConfig withLogging(LoggingConfig logging) {
        return new ProxyConfig(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy,
                               invalidations, logging, trustedPeers, websocket, triggers, ioTransport);
    }

    /**
     * A configuration with the built-in route table ({@code requestTimeout} being its default budget)
     * and the default {@code invalidations:} section.
     */
    public ProxyConfig(HostPort listen, UpstreamConfig upstream, Duration requestTimeout, LimitsConfig limits,
                       AdminConfig admin, Duration shutdownGrace, int ioThreads) {
        this(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads,
             PolicyConfig.defaults(Require.positive(requestTimeout, "requestTimeout")), InvalidationsConfig.defaults());
    }

    /** Returns a copy with another route table. */
    public ProxyConfig withPolicy(PolicyConfig policy) {
        return new ProxyConfig(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy,
                               invalidations, logging, trustedPeers, websocket, triggers, ioTransport);
    }

    /** Returns a copy with {@code invalidations} as its {@code invalidations:} section. */
    public ProxyConfig withInvalidations(InvalidationsConfig invalidations) {
        return new ProxyConfig(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy,
                               invalidations, logging, trustedPeers, websocket, triggers, ioTransport);
    }

    /** Returns a copy trusting {@code trustedPeers} as local callers. */
    public ProxyConfig withTrustedPeers(TrustedPeers trustedPeers) {
        return new ProxyConfig(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy,
                               invalidations, logging, trustedPeers, websocket, triggers, ioTransport);
    }

    /** Returns a copy with another {@code io_transport}. */
    public ProxyConfig withIoTransport(IoTransport ioTransport) {
        return new ProxyConfig(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy,
                               invalidations, logging, trustedPeers, websocket, triggers, ioTransport);
    }

    /** Returns a copy with another {@code websocket:} section. */
    public ProxyConfig withWebSocket(WebSocketConfig websocket) {
        return new ProxyConfig(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy,
                               invalidations, logging, trustedPeers, websocket, triggers, ioTransport);
    }

    /** The configuration of an empty file; {@code deploy/mistguard.yaml} documents each value. */
    public static ProxyConfig defaults() {
        return DEFAULTS;
    }

    /** Returns a copy listening on {@code listen} (the {@code --listen} flag). */
    public ProxyConfig withListen(HostPort listen) {
        return new ProxyConfig(listen, upstream, requestTimeout, limits, admin, shutdownGrace, ioThreads, policy,
                               invalidations, logging, trustedPeers, websocket, triggers, ioTransport);
    }

    /**
     * Returns a copy forwarding to {@code url} (the {@code --upstream} flag), keeping the other
     * upstream settings.
     *
     * @throws IllegalArgumentException if {@code url} is not {@code http://host[:port]}
     */
    public ProxyConfig withUpstream(String url) {
        HostPort address = UpstreamUrl.parse(requireNonNull(url, "url"));
        return new ProxyConfig(listen, upstream.withAddress(address), requestTimeout, limits, admin,
                               shutdownGrace, ioThreads, policy, invalidations, logging, trustedPeers, websocket, triggers, ioTransport);
    }

    /** Same as {@link #withUpstream(String)}. */
    public ProxyConfig withUpstream(URI url) {
        return withUpstream(requireNonNull(url, "url").toString());
    }

    /** Returns a copy whose admin listener binds {@code listen} (the {@code --admin-listen} flag). */
    public ProxyConfig withAdminListen(HostPort listen) {
        return new ProxyConfig(this.listen, upstream, requestTimeout, limits, new AdminConfig(listen, admin.token()),
                               shutdownGrace, ioThreads, policy, invalidations, logging, trustedPeers, websocket, triggers, ioTransport);
    }
}
