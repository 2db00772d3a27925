package io.mistguard.proxy.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.IoTransport;
import io.mistguard.proxy.config.ProxyConfig;
import org.junit.jupiter.api.Test;

/** A reload names the keys it cannot apply, so that the operator knows a restart is needed. */
class RestartOnlyTest {

    @Test
    void anotherIoTransportNeedsARestart() {
        ProxyConfig running = ProxyConfig.defaults();

        assertThat(RestartOnly.changed(running, running.withIoTransport(IoTransport.EPOLL)))
                .containsExactly("io_transport");
        assertThat(RestartOnly.changed(running, running)).isEmpty();
    }
}
