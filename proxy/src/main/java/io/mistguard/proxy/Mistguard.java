package io.mistguard.proxy;

import io.mistguard.proxy.admin.AdminBackend;
import io.mistguard.proxy.admin.AdminServer;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.invalidation.InvalidationStats;
import io.mistguard.proxy.invalidation.http.InvalidationService;
import io.mistguard.proxy.invalidation.http.MistInvalidationSender;
import io.mistguard.proxy.metrics.Metrics;
import io.mistguard.proxy.policy.Inflight;
import io.mistguard.proxy.policy.InflightAttempt;
import io.mistguard.proxy.cache.CacheSnapshot;
import io.mistguard.proxy.policy.PolicyHooks;
import io.mistguard.proxy.policy.PolicyView;
import io.mistguard.proxy.route.LiveRoutes;
import io.mistguard.proxy.policy.UpstreamAttempts;
import io.mistguard.proxy.reload.ConfigReloader;
import io.mistguard.proxy.reload.ReloadOverrides;
import io.mistguard.proxy.reload.ReloadOutcome;
import io.mistguard.proxy.exchange.Forwarder;
import io.mistguard.proxy.server.ListenerRefusals;
import io.mistguard.proxy.server.ProxyServer;
import io.mistguard.proxy.server.RemoteMarking;
import io.mistguard.proxy.net.Transport;
import io.mistguard.proxy.server.tunnel.HandshakeCounts;
import io.mistguard.proxy.server.tunnel.TunnelSettings;
import io.mistguard.proxy.server.tunnel.UpgradeTunnel;
import io.mistguard.proxy.time.Ticker;
import io.mistguard.proxy.trigger.TriggerListener;
import io.mistguard.proxy.trigger.TriggerView;
import io.mistguard.proxy.upstream.UpstreamClient;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running mistguard: the proxy listener, the admin listener, the upstream client and the event
 * loops they share, started from one {@link ProxyConfig} and stopped gracefully.
 *
 * <p>The single acceptor thread also serves the admin listener, which sees little traffic; the
 * worker loops carry client and upstream connections alike, so each request's upstream work stays
 * on its caller's loop.
 *
 * <p>The invalidation queue starts (replaying its state file) before the route table and the proxy
 * listener, and stops after the listener closes but before the upstream client and event loops,
 * which it needs to deliver. The route table sends its {@code queued} routes to it.
 *
 * <p>It is also the admin listener's {@link AdminBackend}: ready once both listeners are bound
 * (the state file was replayed before), not ready from the moment a stop begins; its route table
 * is reloaded through a {@link ConfigReloader}.
 */
public final class Mistguard implements AutoCloseable, AdminBackend {

    private static final Logger log = LoggerFactory.getLogger(Mistguard.class);
    /** Long enough for every loop to cancel its calls and close its connections; they run no I/O waits. */
    private static final Duration UPSTREAM_CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final UpstreamClient upstream;
    private static final Ticker CLOCK = Ticker.system();
    private final LiveRoutes policies;
    private final Metrics metrics;
    private final ConfigReloader reloader;
    private volatile InvalidationService invalidations;
    private volatile ProxyServer proxy;
    private volatile AdminServer admin;
    /** The trigger listener in front of catalyst-api, or {@code null} when {@code triggers:} is absent. */
    private volatile TriggerListener triggers;
    private volatile boolean ready;

    private Mistguard(EventLoopGroup acceptors, EventLoopGroup workers, UpstreamClient upstream, LiveRoutes policies,
                      Metrics metrics, ConfigReloader reloader) {
        this.acceptors = acceptors;
        this.workers = workers;
        this.upstream = upstream;
        this.policies = policies;
        this.metrics = metrics;
        this.reloader = reloader;
    }

    /** Binds both listeners, without a config file to reload from. */
    public static Mistguard start(ProxyConfig config) throws InterruptedException {
        return start(config, null, ReloadOverrides.none());
    }

    /**
     * Binds both listeners. Blocks until they are bound; call from a plain thread.
     *
     * @param file the config file reloads re-read, or {@code null}
     * @param overrides what the command line and environment change in every reloaded file, and the
     *     checks a start would make of the result (a reload the next start would refuse is refused)
     */
    public static Mistguard start(ProxyConfig config, Path file, ReloadOverrides overrides)
            throws InterruptedException {
        String exposure = config.admin().exposureProblem();
        if (exposure != null) {
            throw new IllegalArgumentException(exposure);
        }
        Transport transport = Transport.of(config.ioTransport());
        EventLoopGroup acceptors = transport.newGroup(1, "mistguard-accept");
        EventLoopGroup workers = transport.newGroup(config.ioThreads(), "mistguard-io");
        Metrics metrics = new Metrics();
        InvalidationService invalidations = null;
        try {
            UpstreamClient upstream = new UpstreamClient(config.upstream(), transport);
            // The queue asks the route table in force whether its breaker lets it call Mist, and the
            // route table hands the queued routes' requests to the queue: the queue starts first (it
            // replays its state file) and reads the table through this reference once it exists.
            AtomicReference<LiveRoutes> table = new AtomicReference<>();
            invalidations = InvalidationService.start(config.invalidations(), new MistInvalidationSender(upstream,
                    workers, config.upstream().address().toString(), config.invalidations().callTimeout()),
                    () -> table.get() == null || table.get().queuedRoutesMayCall().getAsBoolean());
            LiveRoutes policies = new LiveRoutes(config.policy(), UpstreamAttempts.of(upstream), Ticker.system(),
                    new PolicyHooks(new Inflight(), metrics::observer), invalidations.handoff());
            table.set(policies);
            ConfigReloader reloader = new ConfigReloader(file, config, overrides, loaded -> {
                policies.reload(loaded.policy());
                metrics.routesChanged(loaded.policy().routes());
            });
            Mistguard mistguard = new Mistguard(acceptors, workers, upstream, policies, metrics, reloader);
            mistguard.invalidations = invalidations;
            metrics.bind(() -> policies.current().policies(), invalidations::stats);
            Forwarder forwarder = policies;
            UpgradeTunnel tunnel = new UpgradeTunnel(tunnelSettings(config, transport)
                    .withExtraHeaders(new RemoteMarking(config.trustedPeers())));
            metrics.tunnels(tunnel::openTunnels);
            metrics.tunnelHandshakes(HandshakeCounts.reasons(), tunnel::handshakes);
            ListenerRefusals refusals = new ListenerRefusals();
            metrics.listenerRefusals(refusals::count);
            mistguard.proxy = bound("listen", config.listen(), () -> ProxyServer.bind(config.listen(),
                    config.limits(), forwarder, transport, acceptors, workers, config.logging().accessLog(),
                    config.trustedPeers(), tunnel, refusals));
            metrics.listenerConnections(mistguard.proxy::openConnections);
            metrics.acceptFailures("proxy", mistguard.proxy, ProxyServer::acceptFailures);
            if (config.triggers().enabled()) {
                mistguard.triggers = bound("triggers.listen", config.triggers().listen(),
                        () -> TriggerListener.start(config.triggers(), transport, acceptors, workers, metrics::bind,
                                                   config.logging().accessLog()));
                metrics.acceptFailures("trigger", mistguard.triggers, TriggerListener::acceptFailures);
            }
            mistguard.admin = bound("admin.listen", config.admin().listen(),
                    () -> AdminServer.bind(config.admin(), mistguard, transport, acceptors));
            metrics.acceptFailures("admin", mistguard.admin, AdminServer::acceptFailures);
            mistguard.ready = true;
            log.info("mistguard listening on {} (admin {}), forwarding to {}:{} over {}", mistguard.proxyAddress(),
                    mistguard.adminAddress(), config.upstream().host(), config.upstream().port(), transport.name());
            return mistguard;
        } catch (InterruptedException | RuntimeException e) {
            if (invalidations != null) {
                invalidations.shutdown(); // keeps replayed names in the state file
            }
            acceptors.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** A listener's bind step; Netty rethrows a bind error unchecked-style from {@code sync()}. */
    private interface Bind<T> {
        T run() throws Exception;
    }

    /** Runs {@code bind}, turning its failure (address in use, no such address) into a {@link ListenFailure}. */
    private static <T> T bound(String key, io.mistguard.proxy.config.HostPort address, Bind<T> bind)
            throws InterruptedException {
        try {
            return bind.run();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) { // BindException, Netty's NativeIoException, UnresolvedAddressException, …
            throw new ListenFailure(key, address, e);
        }
    }

    private static TunnelSettings tunnelSettings(ProxyConfig config, Transport transport) {
        return TunnelSettings.defaults(config.upstream().host(), config.upstream().port(), transport)
                .withTimeouts(config.upstream().connectTimeout(), config.websocket().handshakeTimeout(),
                              config.websocket().idleTimeout())
                .withLimits((int) Math.min(Integer.MAX_VALUE, config.upstream().maxResponseBytes()),
                            config.websocket().maxOpen());
    }

    public InetSocketAddress proxyAddress() {
        return proxy.address();
    }

    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    /** Where Mist's trigger URLs point, or {@code null} without a trigger listener. */
    public InetSocketAddress triggerAddress() {
        TriggerListener t = triggers;
        return t == null ? null : t.address();
    }

    @Override
    public TriggerView triggers() {
        TriggerListener t = triggers;
        return t == null ? null : t.service().view();
    }

    @Override
    public io.mistguard.proxy.policy.Breaker triggerBreaker() {
        TriggerListener t = triggers;
        return t == null ? null : t.service().catalystBreaker();
    }

    /** The config in force: as started, with the route table of the last good reload. */
    @Override
    public ProxyConfig config() {
        return reloader.running();
    }

    /** Breakers, admission pools and per-route counters of the route table in force, read-only. */
    @Override
    public PolicyView policies() {
        return policies.current().policies();
    }

    /** The read cache's counters and size. */
    public CacheSnapshot cache() {
        return policies.current().cache();
    }

    /** The invalidation queue's gauges and counters, for the admin listener and metrics. */
    public InvalidationStats invalidationStats() {
        return invalidations.stats();
    }

    @Override
    public InvalidationStats invalidations() {
        return invalidations.stats();
    }

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public String scrape() {
        return metrics.scrape();
    }

    /** Where a cache reports stale answers, and every other meter. */
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public io.mistguard.proxy.metrics.RouteLatency latency(String route) {
        return metrics.latency(route);
    }

    @Override
    public List<InflightAttempt> inflight() {
        return policies.inflight().list(nowNanos());
    }

    @Override
    public long nowNanos() {
        return CLOCK.nanoTime(); // the clock the policies and event loops run on
    }

    @Override
    public CompletableFuture<ReloadOutcome> reload(String trigger) {
        return reloader.reload(trigger);
    }

    /**
     * Graceful stop: requests in flight get {@code shutdown_grace} ({@link ProxyServer#shutdown}), then
     * the invalidation queue gets {@code invalidations.shutdown_grace} to deliver before it writes the
     * rest to its state file; the trigger listener answers throughout, and then gets what is left of
     * {@code shutdown_grace} (counted from the stop) for what is still owed to catalyst-api
     * ({@link TriggerListener#close}); only then do the upstream client and event loops stop.
     */
    @Override
    public void close() throws InterruptedException {
        ready = false; // load balancers stop sending while in-flight requests finish
        reloader.close();
        long triggersDrainEnd = System.nanoTime() + config().shutdownGrace().toNanos();
        proxy.shutdown(config().shutdownGrace());
        invalidations.shutdown();
        if (triggers != null) {
            // It answered throughout; what is left of the same grace goes to what is owed to catalyst-api.
            triggers.close(Duration.ofNanos(Math.max(0, triggersDrainEnd - System.nanoTime())));
        }
        admin.close();
        upstream.close(UPSTREAM_CLOSE_TIMEOUT);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
        metrics.close();
        log.info("mistguard stopped");
    }
}
