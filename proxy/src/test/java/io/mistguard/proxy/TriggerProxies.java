package io.mistguard.proxy;

import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.config.TriggersConfig;
import java.net.URI;
import java.time.Duration;

/** mistguard with a trigger listener, for the trigger direction's loopback tests. */
final class TriggerProxies {

    private TriggerProxies() {
    }

    /** The trigger section: listening on {@code listenPort} (0: any), forwarding to catalyst-api at {@code catalystPort}. */
    static TriggersConfig triggers(int listenPort, int catalystPort, TriggerPolicy userNew) {
        return TriggersConfig.defaults().withListen(new HostPort("127.0.0.1", listenPort))
                .withUpstream(new TriggersConfig.Upstream("127.0.0.1", catalystPort, "/api/mist/trigger"))
                .withPolicy("USER_NEW", userNew);
    }

    /** mistguard in front of Mist at {@code mistPort} (may be a dead port when only triggers matter). */
    static TestProxy start(int mistPort, TriggersConfig triggers) throws InterruptedException {
        ProxyConfig config = TestProxy.config(mistPort, Duration.ofSeconds(2)).withTriggers(triggers);
        return TestProxy.start(config);
    }

    /** Mist's trigger URL for the listener of {@code proxy}. */
    static URI triggerUrl(TestProxy proxy) {
        return URI.create("http://127.0.0.1:" + proxy.mistguard.triggerAddress().getPort() + "/api/mist/trigger");
    }

}
