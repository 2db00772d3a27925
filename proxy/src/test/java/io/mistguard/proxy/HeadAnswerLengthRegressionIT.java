package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The fault "a length the sender never gave is made up", over real loopback sockets: an upstream's
 * answer to a {@code HEAD} without a {@code Content-Length} (RFC 9110 §9.3.2 lets a server leave it
 * out) reached the caller with {@code content-length: 0}, telling it the resource is empty. The
 * aggregator made one up for every answer without one; a 304's was fixed before this, a HEAD's here.
 * The upstream is a hand-written one, since Mist 3.10 always sends the field.
 */
class HeadAnswerLengthRegressionIT {

    @Test
    void anAnswerToHeadWithoutContentLengthReachesTheCallerWithoutOneRegression() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> answerHeadsWithoutLength(upstream), "head-upstream");
            server.setDaemon(true);
            server.start();
            try (TestProxy proxy = TestProxy.inFrontOf(upstream.getLocalPort(), Duration.ofSeconds(5));
                 RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
                RawHttpConnection.Response head = client.exchangeHead("HEAD /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n");
                assertThat(head.status()).isEqualTo(200);
                assertThat(head.header("Content-Type")).isEqualTo("application/json");
                assertThat(head.header("Content-Length")).as("none was sent, so none is made up").isNull();

                RawHttpConnection.Response again = client.exchangeHead("HEAD /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n");
                assertThat(again.status()).as("the connection stays framed").isEqualTo(200);
                assertThat(again.header("Content-Length")).isNull();
            }
        }
    }

    /** Answers every request on every connection with a 200 head and no length, as to a HEAD. */
    private static void answerHeadsWithoutLength(ServerSocket upstream) {
        while (!upstream.isClosed()) {
            try (Socket socket = upstream.accept()) {
                InputStream in = socket.getInputStream();
                while (readHead(in)) {
                    socket.getOutputStream().write(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                }
            } catch (IOException e) {
                // the next connection, or the end of the test
            }
        }
    }

    private static boolean readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            if (head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                return true;
            }
        }
        return false;
    }
}
