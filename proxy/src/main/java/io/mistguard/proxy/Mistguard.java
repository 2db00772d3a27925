package io.mistguard.proxy;

import io.mistguard.proxy.admin.AdminServer;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.policy.PolicyForwarder;
import io.mistguard.proxy.policy.UpstreamAttempts;
import io.mistguard.proxy.server.ProxyServer;
import io.mistguard.proxy.server.Transport;
import io.mistguard.proxy.time.Ticker;
import io.mistguard.proxy.upstream.UpstreamClient;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
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
 */
public final class Mistguard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Mistguard.class);

    private final ProxyConfig config;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final UpstreamClient upstream;
    private final PolicyForwarder policies;
    private final ProxyServer proxy;
    private final AdminServer admin;

    private Mistguard(ProxyConfig config, EventLoopGroup acceptors, EventLoopGroup workers, UpstreamClient upstream,
                      PolicyForwarder policies, ProxyServer proxy, AdminServer admin) {
        this.config = config;
        this.acceptors = acceptors;
        this.workers = workers;
        this.upstream = upstream;
        this.policies = policies;
        this.proxy = proxy;
        this.admin = admin;
    }

    /** Binds both listeners. Blocks until they are bound; call from a plain thread. */
    public static Mistguard start(ProxyConfig config) throws InterruptedException {
        Transport transport = Transport.best();
        EventLoopGroup acceptors = transport.newGroup(1, "mistguard-accept");
        EventLoopGroup workers = transport.newGroup(config.ioThreads(), "mistguard-io");
        try {
            UpstreamClient upstream = new UpstreamClient(config.upstream(), transport);
            PolicyForwarder forwarder = new PolicyForwarder(config.policy(), UpstreamAttempts.of(upstream),
                    Ticker.system());
            ProxyServer proxy = ProxyServer.bind(config.listen(), config.limits(), forwarder, transport, acceptors,
                    workers);
            AdminServer admin = AdminServer.bind(config.admin().listen(), transport, acceptors);
            log.info("mistguard listening on {} (admin {}), forwarding to {}:{} over {}", proxy.address(),
                    admin.address(), config.upstream().host(), config.upstream().port(), transport.name());
            return new Mistguard(config, acceptors, workers, upstream, forwarder, proxy, admin);
        } catch (InterruptedException | RuntimeException e) {
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

    /** Breakers, admission pools and per-route counters, read-only (for the admin listener). */
    public PolicyForwarder policies() {
        return policies;
    }

    public ProxyConfig config() {
        return config;
    }

    /** Graceful stop within {@code shutdown_grace}; see {@link ProxyServer#shutdown}. */
    @Override
    public void close() throws InterruptedException {
        proxy.shutdown(config.shutdownGrace());
        admin.close();
        upstream.closeIdleConnections();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(3, TimeUnit.SECONDS);
        log.info("mistguard stopped");
    }
}
