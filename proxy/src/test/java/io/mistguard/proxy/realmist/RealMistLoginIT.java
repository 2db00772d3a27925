package io.mistguard.proxy.realmist;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.MistCommands;
import io.mistguard.proxy.Mistguard;
import io.mistguard.proxy.realmist.RawHttp.Reply;
import io.mistguard.proxy.realmist.RealMist.Account;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A remote caller logs in through mistguard exactly as it would straight to Mist: it receives the
 * challenge, answers {@code md5hex(md5hex(password) + challenge)}, and from then on its own client
 * connection is authorised, and only that one (mist-api.md §2): a login must never reach another
 * caller through a shared upstream connection. Each case runs straight against Mist first, as the
 * baseline, then through mistguard. Needs {@code MIST_USER}/{@code MIST_PASSWORD}.
 */
@RealMistTier
class RealMistLoginIT {

    private static final String FORWARDED = "X-Forwarded-For: " + RealMist.REMOTE_CALLER;

    /** A fresh mistguard per test: no pooled connection, breaker state or cached answer carries over. */
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

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"straight to Mist", "through mistguard"})
    void loginInTheBodyAuthorisesTheCallersConnection(String via) throws IOException {
        Account account = RealMist.account();
        try (RawHttp caller = RawHttp.connect(target(via))) {
            String challenge = challenge(caller.postJson("/api2", MistCommands.GET_STATE, FORWARDED));

            Reply login = caller.postJson("/api2", account.authorizeCommand(challenge), FORWARDED);
            assertThat(MistJson.authorize(login.body())).as("answer to the login: %s", login)
                    .containsEntry("status", "OK").doesNotContainKey("local");

            assertAuthorised(caller.postJson("/api2", RealMistTrustIT.CONFIG_BACKUP, FORWARDED));
        }
        assertOtherCallersAreStillChallenged(via);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"straight to Mist", "through mistguard"})
    void loginInAnAuthorizationHeaderAuthorisesTheRequest(String via) throws IOException {
        Account account = RealMist.account();
        String challenge;
        try (RawHttp probe = RawHttp.connect(target(via))) {
            challenge = challenge(probe.postJson("/api2", MistCommands.GET_STATE, FORWARDED));
        }
        try (RawHttp caller = RawHttp.connect(target(via))) {
            assertAuthorised(caller.postJson("/api2", RealMistTrustIT.CONFIG_BACKUP, FORWARDED,
                    "Authorization: json " + account.credentials(challenge)));
        }
        assertOtherCallersAreStillChallenged(via);
    }

    /** A login belongs to the caller's own connection: a caller on another connection has not logged in. */
    private void assertOtherCallersAreStillChallenged(String via) throws IOException {
        try (RawHttp other = RawHttp.connect(target(via))) {
            RealMistTrustIT.assertChallenged("another forwarded caller, after someone else logged in",
                    other.postJson("/api2", RealMistTrustIT.CONFIG_BACKUP, FORWARDED));
        }
    }

    private InetSocketAddress target(String via) {
        return via.equals("straight to Mist") ? RealMist.address() : mistguard.proxyAddress();
    }

    /** The challenge of a {@code CHALL} answer; fails the test when the caller was let in instead. */
    private static String challenge(Reply reply) {
        assertThat(MistJson.authorize(reply.body())).as("first answer to a forwarded caller: %s", reply)
                .containsEntry("status", "CHALL").containsKey("challenge");
        return (String) MistJson.authorize(reply.body()).get("challenge");
    }

    private static void assertAuthorised(Reply reply) {
        assertThat(reply.status()).as("status of %s", reply).isEqualTo(200);
        assertThat(MistJson.authorize(reply.body())).as("authorize of %s", reply)
                .containsEntry("status", "OK").doesNotContainKey("local");
        assertThat(MistJson.object(reply.body()).keySet()).as("a logged-in caller gets what it asked for")
                .contains("config_backup");
    }
}
