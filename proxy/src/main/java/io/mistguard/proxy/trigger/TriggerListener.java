package io.mistguard.proxy.trigger;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.config.UpstreamConfig;
import io.mistguard.proxy.net.Transport;
import io.mistguard.proxy.policy.UpstreamAttempts;
import io.mistguard.proxy.time.Ticker;
import io.mistguard.proxy.upstream.ReuseRule;
import io.mistguard.proxy.upstream.UpstreamClient;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running trigger direction, as the composition root starts and stops it: the HTTP client to
 * catalyst-api (the same client as Mist's, {@code upstream/}, with its own pool per event loop), the
 * {@link TriggerService}, its meters and the {@link TriggerServer}. Thread-safe.
 */
public final class TriggerListener {

    private static final Logger log = LoggerFactory.getLogger(TriggerListener.class);
    /** Idle keep-alive connections to catalyst-api kept per event loop. */
    private static final int IDLE_CONNECTIONS_PER_LOOP = 8;
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private final UpstreamClient client;
    private final TriggerService service;
    private final TriggerServer server;

    private TriggerListener(UpstreamClient client, TriggerService service, TriggerServer server) {
        this.client = client;
        this.service = service;
        this.server = server;
    }

    /**
     * Starts the listener on {@code config.listen()}; blocks until bound, so call from a plain thread.
     *
     * @param meters    where the listener's meters are registered (the metrics registry's hook)
     * @param accessLog one {@code mistguard.access} line per trigger answered ({@code logging.access_log})
     */
    public static TriggerListener start(TriggersConfig config, Transport transport, EventLoopGroup acceptors,
                                        EventLoopGroup workers, Consumer<MeterBinder> meters, boolean accessLog)
            throws InterruptedException {
        UpstreamClient client = new UpstreamClient(new UpstreamConfig(config.upstream().host(), config.upstream().port(),
                config.connectTimeout(), IDLE_CONNECTIONS_PER_LOOP, IDLE_TIMEOUT, config.maxResponseBytes()), transport,
                ReuseRule.HTTP); // catalyst-api is no Mist: its answers say how they end

        TriggerService[] service = new TriggerService[1];
        TriggerMeters observer = new TriggerMeters(config, TriggerService.tags(config), () -> service[0].view());
        service[0] = new TriggerService(config, UpstreamAttempts.of(client), workers.next(), Ticker.system(), observer);
        meters.accept(observer);
        TriggerServer server = TriggerServer.bind(config.listen(), config, service[0], transport, acceptors, workers,
                                                   accessLog);
        log.info("trigger listener on {} forwarding to {}; point Mist's trigger URLs at http://{}:{}{}",
                 server.address(), config.upstream(), server.address().getHostString(), server.address().getPort(),
                 config.upstream().path());
        config.policies().forEach((name, p) -> {
            if (p.blocking() && p.timeout().compareTo(TriggersConfig.MIST_ATTEMPT) >= 0) {
                log.warn("trigger {}: timeout {} is not below Mist's 5s attempt, so Mist retries before mistguard "
                         + "answers", name, p.timeout());
            }
        });
        return new TriggerListener(client, service[0], server);
    }

    public InetSocketAddress address() {
        return server.address();
    }

    /** Connections the trigger listener failed to accept since it was bound. Thread-safe. */
    public long acceptFailures() {
        return server.acceptFailures();
    }

    public TriggerService service() {
        return service;
    }

    /**
     * Stops: first goes on answering until nothing is owed to catalyst-api ({@link TriggerService#idle}:
     * no call at it or queued for it, no non-blocking trigger held for delivery) or {@code drain} has
     * passed, then closes the listener and its connections, stops the delivery queue, then the client.
     * Found by review: it closed at once, so a blocking trigger at catalyst-api got no answer (to Mist a
     * failed attempt, and after five its default, {@code true}) and queued non-blocking triggers Mist
     * had been told were taken were lost.
     *
     * @param drain how long the drain may last, from now (0: none); the caller gives what is left of
     *              {@code shutdown_grace}, so that a stop takes no longer than before
     */
    public void close(Duration drain) throws InterruptedException {
        long deadline = System.nanoTime() + drain.toNanos();
        while (!service.idle() && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        if (!service.idle()) {
            TriggerView owed = service.view();
            log.warn("trigger listener stopping with {} call(s) at catalyst-api, {} waiting and {} non-blocking "
                     + "trigger(s) undelivered after the drain", owed.admission().inFlight(), owed.admission().queued(),
                     owed.delivery().pending());
        }
        server.close();
        service.close();
        client.close(CLOSE_TIMEOUT);
    }
}
