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
 * The fault "a transfer coding is dropped, not undone", over real loopback sockets: an upstream's
 * answer with {@code Transfer-Encoding: gzip, chunked} had its chunks undone and the field removed
 * as hop-by-hop, so the caller got gzip bytes under a {@code Content-Length} and nothing saying they
 * were coded (RFC 9112 §6.1). mistguard undoes only {@code chunked}: such an answer is now a bad
 * response, 502. Requests with such a coding were refused with 400 already. Mist sends none; the
 * upstream here is a hand-written one.
 */
class UpstreamTransferCodingRegressionIT {

    @Test
    void anAnswerWithACodingMistguardCannotUndoIsABadResponseRegression() throws Exception {
        try (ServerSocket upstream = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> answerGzipChunked(upstream), "gzip-upstream");
            server.setDaemon(true);
            server.start();
            try (TestProxy proxy = TestProxy.inFrontOf(upstream.getLocalPort(), Duration.ofSeconds(5));
                 RawHttpConnection client = new RawHttpConnection(proxy.mistguard.proxyAddress().getPort())) {
                RawHttpConnection.Response answer = client.exchange("GET /koekjes.json HTTP/1.1\r\nHost: mist\r\n\r\n");
                assertThat(answer.status()).isEqualTo(502);
                assertThat(answer.header("Mistguard-Decision")).isEqualTo("rejected; reason=bad-response");
                assertThat(answer.body()).contains("unsupported Transfer-Encoding: gzip");
            }
        }
    }

    /** Answers every request with a chunked body that is also said to be gzip-coded. */
    private static void answerGzipChunked(ServerSocket upstream) {
        while (!upstream.isClosed()) {
            try (Socket socket = upstream.accept()) {
                InputStream in = socket.getInputStream();
                while (readHead(in)) {
                    socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: text/json\r\n"
                            + "Transfer-Encoding: gzip, chunked\r\n\r\n4\r\n\u001f\u008b\b\u0000\r\n0\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
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
