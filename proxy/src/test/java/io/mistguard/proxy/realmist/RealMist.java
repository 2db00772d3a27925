package io.mistguard.proxy.realmist;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mistguard.proxy.Mistguard;
import io.mistguard.proxy.config.AdminConfig;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.InvalidationsConfig;
import io.mistguard.proxy.config.LimitsConfig;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.TrustedPeers;
import io.mistguard.proxy.config.UpstreamConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The real MistServer under test, as the environment names it, and mistguard started in process in
 * front of it. A lookup whose variable is unset aborts the calling test through a JUnit assumption
 * that names the variable, so the tier is reported as skipped, never failed, where no Mist runs.
 *
 * <ul>
 *   <li>{@code MIST_URL}: Mist's API, e.g. {@code http://127.0.0.1:4242}. Required by every test.
 *   <li>{@code MIST_PROMETHEUS}: Mist's Prometheus passphrase ({@code -S}), default {@code koekjes}.
 *   <li>{@code MIST_USER}, {@code MIST_PASSWORD}: an account of that Mist, for the login tests only.
 * </ul>
 *
 * Stateless; thread-safe.
 */
final class RealMist {

    /** A documentation address (RFC 5737) in the forwarding headers: a remote caller, never this host. */
    static final String REMOTE_CALLER = "203.0.113.7";

    private RealMist() {
    }

    /** Mist's API URL, without a trailing slash; skips the test when {@code MIST_URL} is unset. */
    static URI url() {
        String url = System.getenv("MIST_URL");
        assumeTrue(url != null && !url.isBlank(),
                "MIST_URL is not set: point it at a MistServer's API (e.g. http://127.0.0.1:4242) to run this tier");
        return URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }

    /** Where to open a connection straight to Mist. */
    static InetSocketAddress address() {
        URI url = url();
        return new InetSocketAddress(url.getHost(), url.getPort() < 0 ? 80 : url.getPort());
    }

    /** The Prometheus passphrase Mist was started with ({@code -S}). */
    static String prometheusPassphrase() {
        String passphrase = System.getenv("MIST_PROMETHEUS");
        return passphrase == null || passphrase.isBlank() ? "koekjes" : passphrase;
    }

    /** An account of the Mist under test; skips the test when either variable is unset. */
    static Account account() {
        String user = System.getenv("MIST_USER");
        String password = System.getenv("MIST_PASSWORD");
        assumeTrue(user != null && !user.isEmpty() && password != null && !password.isEmpty(),
                "MIST_USER and MIST_PASSWORD are not both set: the login tests need an account of the Mist under test");
        return new Account(user, password);
    }

    /**
     * Starts mistguard with its built-in routes in front of {@code MIST_URL}, listening on
     * {@code listenHost} at a port the OS chooses, its admin listener on loopback. One I/O thread,
     * as in the proxy's other integration tests, so every request shares one upstream pool and a
     * connection Mist trusted is certain to be offered to the next request that wants one.
     */
    static Mistguard startMistguard(String listenHost) throws InterruptedException {
        return startMistguard(listenHost, TrustedPeers.defaults());
    }

    /** As above, trusting {@code trustedPeers} as local callers. */
    static Mistguard startMistguard(String listenHost, TrustedPeers trustedPeers) throws InterruptedException {
        URI url = url();
        ProxyConfig config = new ProxyConfig(new HostPort(listenHost, 0), UpstreamConfig.defaults(),
                Duration.ofSeconds(10), LimitsConfig.defaults(), new AdminConfig(new HostPort("127.0.0.1", 0)),
                Duration.ofSeconds(2), 1)
                .withUpstream(url.toString())
                .withInvalidations(InvalidationsConfig.defaults().withStateFile(null))
                .withTrustedPeers(trustedPeers);
        return Mistguard.start(config);
    }

    /** A Mist account: what {@code MistController -a user:password} created. */
    record Account(String user, String password) {

        /** Mist's login answer to {@code challenge}: {@code md5hex(md5hex(password) + challenge)}. */
        String answer(String challenge) {
            return md5hex(md5hex(password) + challenge);
        }

        /** The JSON of {@code {"authorize":{"username":…,"password":…}}} for {@code challenge}. */
        String authorizeCommand(String challenge) {
            return "{\"authorize\":" + credentials(challenge) + "}";
        }

        /** The JSON of {@code {"username":…,"password":…}}, as an {@code Authorization: json …} header carries it. */
        String credentials(String challenge) {
            return "{\"username\":\"" + user.replace("\\", "\\\\").replace("\"", "\\\"")
                    + "\",\"password\":\"" + answer(challenge) + "\"}";
        }

        @Override
        public String toString() {
            return "Account[" + user + "]"; // never the password in a test report
        }
    }

    static String md5hex(String text) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md5.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has MD5", e);
        }
    }
}
