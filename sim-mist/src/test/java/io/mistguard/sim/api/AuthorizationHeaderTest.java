package io.mistguard.sim.api;

import static io.mistguard.sim.MistReplies.assertOk;
import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.sim.RawHttp;
import io.mistguard.sim.fault.FaultRule;
import io.mistguard.sim.junit.SimMistExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A bad {@code Authorization: json …} header (mist-api.md §8): {@code 403 Not authorized} with a
 * {@code WWW-Authenticate} header, no {@code Content-Length}, no {@code Connection: close}, and the
 * connection left open, so a client reading the body to EOF would wait forever. Read over a raw
 * socket, since no HTTP client can frame that reply.
 */
class AuthorizationHeaderTest {

    @RegisterExtension
    static SimMistExtension mist = SimMistExtension.with(b -> b.streams(2, 1));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"json {not json", "json [1,2]",
            "json {\"username\":\"test\",\"password\":\"0123456789abcdef0123456789abcdef\"}",
            "json {\"username\":\"nobody\",\"password\":\"\"}"})
    void aBadHeaderGets403WithNoLengthAndTheConnectionStaysOpen(String value) throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            http.send("POST", "/api2", "application/json", "{\"nuke_stream\":\"video+stream0\"}",
                    "Authorization: " + value);
            RawHttp.Head head = http.readHead();
            assertThat(head.statusLine()).isEqualTo("HTTP/1.1 403 Not authorized");
            assertThat(head.headers().get("www-authenticate"))
                    .matches("json \\{\"challenge\":\"[0-9a-f]{32}\",\"status\":\"CHALL\"}");
            assertThat(head.headers()).doesNotContainKeys("content-length", "connection", "transfer-encoding");
            assertThat(http.silentFor(300)).as("no body, no close: a read to EOF would hang").isTrue();

            // The connection is still served (here a trusted local one, so the next request is let in).
            assertOk(http.post("/api2", "{\"push_list\":true}"));
        }
        assertThat(mist.get().state().streamNames()).as("the command did not run").contains("video+stream0");
        assertThat(mist.get().recording().connectionsOpened()).isEqualTo(1);
    }

    @Test
    void aBadHeaderIsRefusedEvenOnAConnectionAlreadyTrusted() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            assertOk(http.post("/api2", "{\"push_list\":true}"));
            http.send("GET", "/api2?command=%7B%22push_list%22%3Atrue%7D", null, "", "Authorization: json nope");
            assertThat(http.readHead().status()).isEqualTo(403);
        }
    }

    /**
     * As the README says (Faults): a fault that acts before the command applies to a request with a
     * bad header too, and one that shapes a reply leaves the raw 403 alone.
     */
    @Test
    void aCommandsFaultMeetsABadHeaderBeforeItsRefusal() throws Exception {
        mist.get().faults().add(FaultRule.forCommand("nuke_stream").status(503));
        mist.get().faults().add(FaultRule.forCommand("push_list").malformedJson());
        try {
            try (RawHttp http = new RawHttp(mist.get().port())) {
                http.send("POST", "/api2", "application/json", "{\"nuke_stream\":\"video+stream1\"}",
                        "Authorization: json nope");
                assertThat(http.readHead().status()).as("the status fault first").isEqualTo(503);
            }
            try (RawHttp http = new RawHttp(mist.get().port())) {
                http.send("POST", "/api2", "application/json", "{\"push_list\":true}", "Authorization: json nope");
                assertThat(http.readHead().statusLine()).as("a reply-shaping fault: the raw 403 as it is")
                                                       .isEqualTo("HTTP/1.1 403 Not authorized");
            }
        } finally {
            mist.get().faults().clear();
        }
    }

    @Test
    void aHeaderThatIsNotJsonIsIgnored() throws Exception {
        try (RawHttp http = new RawHttp(mist.get().port())) {
            assertOk(http.post("/api2", "{\"push_list\":true}", "Authorization: Basic dGVzdDp0ZXN0"));
        }
    }
}
