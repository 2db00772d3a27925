package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.FaultRule;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A caller with a 4 KiB receive window that asks mistguard for an answer far larger than the
 * sockets' buffers hold and has read its status line: the rest of the answer waits in mistguard
 * until this caller reads. With {@link #HUGE} and {@link #ROUTES}, for the tests of answers still
 * being written. One test's, on its thread.
 */
final class SlowReader implements AutoCloseable {

    /** The size of the answer {@link #huge} makes Mist give, in bytes. */
    static final int HUGE = 8 << 20;
    /** The target whose answer {@link #huge} makes huge. */
    static final String TARGET = "/api2?command=%7B%22push_list%22%3Atrue%7D";
    /** One pass-through route for everything. */
    static final String ROUTES = """
            routes:
              - name: rest
                match: {}
                kind: passthrough
                timeout: 10s
            """;

    final Socket socket = new Socket();
    final InputStream in;

    private SlowReader(int port) throws IOException {
        socket.setReceiveBufferSize(4096); // before connecting: a small window
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(("GET " + TARGET + " HTTP/1.1\r\nHost: mist\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        in = socket.getInputStream();
        assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
    }

    /** Makes {@code mist} answer {@link #TARGET} with {@link #HUGE} bytes. */
    static void huge(SimMist mist) {
        mist.faults().add(FaultRule.forCommand("push_list").hugeBody(HUGE));
    }

    /** Asks {@code proxy} for {@link #TARGET} and reads its status line. */
    static SlowReader ask(TestProxy proxy) throws IOException {
        return new SlowReader(proxy.uri("/").getPort());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
