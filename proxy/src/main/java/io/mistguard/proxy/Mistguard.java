package io.mistguard.proxy;

import io.mistguard.proxy.admin.AdminServer;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.invalidation.InvalidationStats;
import io.mistguard.proxy.invalidation.http.InvalidationService;
import io.mistguard.proxy.invalidation.http.MistInvalidationSender;
import io.mistguard.proxy.policy.PolicyForwarder;
import io.mistguard.proxy.policy.UpstreamAttempts;
import io.mistguard.proxy.server.Forwarder;
import io.mistguard.proxy.server.ProxyServer;
import io.mistguard.proxy.server.Transport;
import io.mistguard.proxy.time.Ticker;
import io.mistguard.proxy.upstream.UpstreamClient;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * <p>The invalidation queue starts (replaying its state file) before the proxy listener opens, and
 * stops after it closes but before the upstream client and event loops, which it needs to deliver.
 */
public final class Mistguard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Mistguard.class);
    /** Long enough for every loop to cancel its calls and close its connections; they run no I/O waits. */
    private static final Duration UPSTREAM_CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private final ProxyConfig config;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final UpstreamClient upstream;
    private final PolicyForwarder policies;
    private final InvalidationService invalidations;
    private final ProxyServer proxy;
    private final AdminServer admin;

    private Mistguard(ProxyConfig config, EventLoopGroup acceptors, EventLoopGroup workers, UpstreamClient upstream,
                      PolicyForwarder policies, InvalidationService invalidations, ProxyServer proxy,
                      AdminServer admin) {
        this.config = config;
        this.acceptors = acceptors;
        this.workers = workers;
        this.upstream = upstream;
        this.policies = policies;
        this.invalidations = invalidations;
        this.proxy = proxy;
        this.admin = admin;
    }

    /** Binds both listeners. Blocks until they are bound; call from a plain thread. */
    public static Mistguard start(ProxyConfig config) throws InterruptedException {
        Transport transport = Transport.best();
        EventLoopGroup acceptors = transport.newGroup(1, "mistguard-accept");
        EventLoopGroup workers = transport.newGroup(config.ioThreads(), "mistguard-io");
        InvalidationService invalidations = null;
        try {
            UpstreamClient upstream = new UpstreamClient(config.upstream(), transport);
            PolicyForwarder policies = new PolicyForwarder(config.policy(), UpstreamAttempts.of(upstream),
                    Ticker.system());
            invalidations = InvalidationService.start(config.invalidations(), new MistInvalidationSender(upstream,
                    workers, config.upstream().address().toString(), config.invalidations().callTimeout()),
                    policies.queuedRoutesMayCall());
            Forwarder forwarder = invalidations.intercepting(policies);
            ProxyServer proxy = ProxyServer.bind(config.listen(), config.limits(), forwarder, transport, acceptors,
                    workers);
            AdminServer admin = AdminServer.bind(config.admin().listen(), transport, acceptors);
            log.info("mistguard listening on {} (admin {}), forwarding to {}:{} over {}", proxy.address(),
                    admin.address(), config.upstream().host(), config.upstream().port(), transport.name());
            return new Mistguard(config, acceptors, workers, upstream, policies, invalidations, proxy, admin);
        } catch (InterruptedException | RuntimeException e) {
            if (invalidations != null) {
                invalidations.shutdown(); // keeps replayed names in the state file
            }
            acceptors.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public InetSocketAddress proxyAddress() {
        return proxy.address();
    }

    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    public ProxyConfig config() {
        return config;
    }

    /** Breakers, admission pools and per-route counters, read-only (for the admin listener). */
    public PolicyForwarder policies() {
        return policies;
    }

    /** The invalidation queue's gauges and counters, for the admin listener and metrics. */
    public InvalidationStats invalidationStats() {
        return invalidations.stats();
    }

    /**
     * Graceful stop: requests in flight get {@code shutdown_grace} ({@link ProxyServer#shutdown}), then
     * the invalidation queue gets {@code invalidations.shutdown_grace} to deliver before it writes the
     * rest to its state file; only then do the upstream client and event loops stop.
     */
    @Override
    public void close() throws InterruptedException {
        proxy.shutdown(config.shutdownGrace());
        invalidations.shutdown();
        admin.close();
        upstream.close(UPSTREAM_CLOSE_TIMEOUT);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
        log.info("mistguard stopped");
    }
}
