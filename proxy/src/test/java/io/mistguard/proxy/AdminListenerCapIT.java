package io.mistguard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.junit.SimMistExtension;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Found by review: the admin listener had no connection cap, so idle connections to it, which
 * never meet the per-request token check, could use up mistguard's file descriptors until the
 * proxy listener could accept no caller ({@code accept(..) failed: Too many open files}). Now it
 * holds {@code AdminServer.MAX_CONNECTIONS} and answers one more with a 503 that closes it, over
 * real sockets, while callers are still served.
 */
class AdminListenerCapIT {

    private static final int ADMIN_MAX_CONNECTIONS = 64; // AdminServer.MAX_CONNECTIONS

    @RegisterExtension
    static final SimMistExtension MIST = SimMistExtension.withDefaults();

    @Test
    void connectionsOverTheAdminCapGetA503AndCallersAreStillServedRegression() throws Exception {
        try (TestProxy proxy = TestProxy.inFrontOf(MIST.get().port(), Duration.ofSeconds(2))) {
            int admin = proxy.mistguard.adminAddress().getPort();
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < ADMIN_MAX_CONNECTIONS; i++) {
                    Socket socket = new Socket();
                    socket.connect(new InetSocketAddress("127.0.0.1", admin), 5_000);
                    idle.add(socket);
                }
                Await.until("the admin listener refuses one more", () -> {
                    try (RawHttpConnection over = new RawHttpConnection(admin)) {
                        RawHttpConnection.Response answer = over.read();
                        return answer.status() == 503 && over.closedByServer();
                    } catch (java.io.IOException e) {
                        return false;
                    }
                });
                assertThat(proxy.get("/koekjes.json").statusCode()).as("callers are still served").isEqualTo(200);
            } finally {
                for (Socket socket : idle) {
                    socket.close();
                }
            }
            Await.until("the admin listener answers again", () -> {
                try {
                    return proxy.http.send(java.net.http.HttpRequest.newBuilder(proxy.adminUri("/healthz")).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }
}
