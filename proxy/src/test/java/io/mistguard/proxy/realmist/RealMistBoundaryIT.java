package io.mistguard.proxy.realmist;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.Mistguard;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The framing real Mist 3.10 gets wrong or does its own way, through mistguard: the web UI's
 * WebSocket ({@code 101 Websocket away!} with no {@code Sec-WebSocket-Accept}), a caller that
 * half-closes, {@code HEAD} answered with a body, and a caller that pipelines (Mist serves one
 * request per read). Raw sockets, because the JDK's clients refuse Mist's 101 and hide connections.
 */
@RealMistTier
class RealMistBoundaryIT {

    private static final String UPGRADE = "GET /ws?logs=5&streams=1 HTTP/1.1\r\nHost: mist\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    private static final String GET_PUSH_LIST = "GET /api2?command=%7B%22push_list%22%3Atrue%7D HTTP/1.1\r\n"
            + "Host: mist\r\n\r\n";

    private Mistguard mistguard;

    @BeforeEach
    void start() throws InterruptedException {
        mistguard = RealMist.startMistguard("127.0.0.1");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (mistguard != null) {
            mistguard.close();
        }
    }

    @Test
    void webUiLiveViewIsTunnelledAsMistAnswersIt() throws IOException {
        String direct = firstBytes(RealMist.address(), UPGRADE + "\r\n", false);
        String proxied = firstBytes(mistguard.proxyAddress(), UPGRADE + "\r\n", false);
        assertThat(direct).startsWith("HTTP/1.1 101");
        assertThat(proxied).startsWith("HTTP/1.1 101").contains("[\"auth\"");
        assertThat(frameAfterHead(proxied)).isEqualTo(frameAfterHead(direct));
    }

    @Test
    void forwardedCallersLiveViewIsNotTrustedThroughMistguardEither() throws IOException {
        String header = "X-Forwarded-For: " + RealMist.REMOTE_CALLER + "\r\n\r\n";
        String direct = firstBytes(RealMist.address(), UPGRADE + header, false);
        String proxied = firstBytes(mistguard.proxyAddress(), UPGRADE + header, false);
        assertThat(frameAfterHead(proxied)).isEqualTo(frameAfterHead(direct));
    }

    @Test
    void halfClosedGetStateIsAnswered() throws IOException {
        String answer = firstBytes(mistguard.proxyAddress(), GET_PUSH_LIST, true);
        assertThat(answer).startsWith("HTTP/1.1 200").contains("\"push_list\"");
    }

    @Test
    void headIsFollowedByTheRightAnswerOnTheSameConnection() throws IOException {
        String answers = firstBytes(mistguard.proxyAddress(), "HEAD /api2 HTTP/1.1\r\nHost: mist\r\n\r\n"
                + GET_PUSH_LIST, true);
        int second = answers.indexOf("HTTP/1.1", 1);
        assertThat(second).as("two answers: %s", answers).isPositive();
        assertThat(answers.substring(0, second)).doesNotContain("{");
        assertThat(answers.substring(second)).contains("\"push_list\"");
    }

    @Test
    void pipelinedRequestsAreAllAnsweredThoughMistServesOnePerRead() throws IOException {
        String answers = firstBytes(mistguard.proxyAddress(), GET_PUSH_LIST + GET_PUSH_LIST + GET_PUSH_LIST, true);
        assertThat(answers.split("HTTP/1.1 200", -1)).hasSize(4);
    }

    /**
     * Sends {@code request} and reads what comes back until the peer closes or is quiet for a
     * second: enough for a handshake and its first frames, or for answers to a half-closed request.
     */
    private static String firstBytes(InetSocketAddress to, String request, boolean halfClose) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(to, 5_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            if (halfClose) {
                socket.shutdownOutput();
            }
            socket.setSoTimeout(1_000);
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException quiet) {
                // nothing more for a second: that is all for now
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** The first WebSocket frame after the 101's head: a short text frame's payload. */
    private static String frameAfterHead(String bytes) {
        int body = bytes.indexOf("\r\n\r\n");
        assertThat(body).as("a complete head: %s", bytes).isPositive();
        String frames = bytes.substring(body + 4);
        assertThat(frames.length()).as("a frame after the head").isGreaterThan(2);
        int length = frames.charAt(1) & 0x7f;
        return length < 126 ? frames.substring(2, 2 + length) : frames.substring(4, 4 + (frames.charAt(2) << 8 | frames.charAt(3)));
    }
}
