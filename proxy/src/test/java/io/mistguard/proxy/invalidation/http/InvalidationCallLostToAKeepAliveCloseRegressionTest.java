package io.mistguard.proxy.invalidation.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.RawHttpMessages;
import io.mistguard.proxy.config.UpstreamConfig;
import io.mistguard.proxy.net.Transport;
import io.mistguard.proxy.upstream.UpstreamClient;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Regression (found by review): the drainer's calls were sent as not replayable, though
 * {@code invalidate_sessions} is idempotent (a name invalidated twice is invalidated). A call that met
 * a kept-alive connection Mist closed after reading it, with no reset to prove it unread, then failed:
 * a WARN, a failed-call count and a backoff of up to seconds, after which the names were sent again
 * anyway. Now it is sent again at once on a fresh connection. A stand-in Mist over loopback answers the
 * first call of each connection and closes on the second after reading it.
 */
@Timeout(30)
class InvalidationCallLostToAKeepAliveCloseRegressionTest {

    private static final String OK = "{\"authorize\":{\"local\":true,\"status\":\"OK\"}}";

    @Test
    void aCallOnAConnectionMistClosedAfterReadingItIsSentAgainAtOnce() throws Exception {
        AtomicInteger read = new AtomicInteger();
        EventLoopGroup loops = Transport.nio().newGroup(1, "invalidation-test");
        try (ServerSocket mist = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> serve(mist, read), "closing-mist");
            server.setDaemon(true);
            server.start();
            UpstreamConfig upstream = UpstreamConfig.defaults();
            UpstreamClient client = new UpstreamClient(new UpstreamConfig("127.0.0.1", mist.getLocalPort(),
                    upstream.connectTimeout(), upstream.maxIdleConnectionsPerThread(), upstream.idleTimeout(),
                    upstream.maxResponseBytes()), Transport.nio());
            MistInvalidationSender sender = new MistInvalidationSender(client, loops, "127.0.0.1:4242",
                                                                       Duration.ofSeconds(5));

            sender.send(List.of("video+a")).toCompletableFuture().get(10, TimeUnit.SECONDS);
            sender.send(List.of("video+b")).toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(read.get()).as("the first call, the second read and dropped, the second again").isEqualTo(3);
            client.close(Duration.ofSeconds(1));
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(2, TimeUnit.SECONDS);
        }
    }

    /** Answers the first request of each connection; reads the second whole and closes (a FIN, no reset). */
    private static void serve(ServerSocket mist, AtomicInteger read) {
        while (!mist.isClosed()) {
            try (Socket socket = mist.accept()) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                for (int n = 0; n < 2; n++) {
                    String head = RawHttpMessages.readHead(in);
                    if (head == null) {
                        break;
                    }
                    in.readNBytes(RawHttpMessages.contentLength(head));
                    read.incrementAndGet();
                    if (n == 0) {
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                   + OK.length() + "\r\n\r\n" + OK).getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    }
                }
            } catch (IOException e) {
                return; // closed at the end of the test
            }
        }
    }
}
