package io.mistguard.sim.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/**
 * Mist's per-connection authorisation (mist-api.md §2 and §8). A local peer is let in unless its
 * request carries a proxy header; others get a {@code CHALL} and must answer
 * md5hex(md5hex(pw) + challenge), in an {@code authorize} command or an {@code Authorization: json
 * {…}} header. Whatever authorises a connection sticks to it for its lifetime, so later requests on
 * it are let in even with proxy headers. With no accounts the status is {@code NOACC}. With
 * Catalyst's fork penalty on, the fourth failure closes the connection. Runs on the command thread
 * only.
 */
final class Authorizer {

    /** Unauthorised connections are closed after this many failures (Catalyst's fork). */
    static final int MAX_FAILURES = 4;

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d-M-yyyy");

    private final SimState state;
    private final boolean closeAfterFailures;
    private final boolean onlyRealIpHidesPeer;

    Authorizer(SimState state, boolean closeAfterFailures, boolean onlyRealIpHidesPeer) {
        this.state = state;
        this.closeAfterFailures = closeAfterFailures;
        this.onlyRealIpHidesPeer = onlyRealIpHidesPeer;
    }

    /** The outcome: the {@code authorize} object to reply with and whether commands may run. */
    record Result(ObjectNode node, boolean ok, boolean closeAfter) {
    }

    Result check(MistRequest request, ConnectionAuth auth) {
        if (!state.hasAccounts()) {
            return new Result(status("NOACC"), false, false);
        }
        if (!auth.authorized && !request.proxied(onlyRealIpHidesPeer) && auth.peerIsOwnAddress()) {
            auth.authorized = true;
            auth.local = true;
        }
        if (!auth.authorized) {
            JsonNode login = request.command() == null ? null : request.command().get("authorize");
            auth.authorized = login != null && credentialsMatch(login, auth);
        }
        if (auth.authorized) {
            ObjectNode ok = Json.MAPPER.createObjectNode();
            if (auth.local) {
                ok.put("local", true);
            }
            ok.put("status", "OK");
            return new Result(ok, true, false);
        }
        auth.failures++;
        return new Result(challenge(auth), false, closeAfterFailures && auth.failures >= MAX_FAILURES);
    }

    /**
     * An {@code Authorization: json {…}} header's JSON: logs the connection in when it is an object
     * with matching credentials and returns true; otherwise changes nothing and returns false.
     */
    boolean headerLogin(String json, ConnectionAuth auth) {
        ObjectNode login = Json.objectOrNull(json);
        if (login == null || !state.hasAccounts() || !credentialsMatch(login, auth)) {
            return false;
        }
        auth.authorized = true;
        return true;
    }

    /** The {@code authorize} object of an unauthorised reply: {@code CHALL} with the challenge, or {@code NOACC}. */
    ObjectNode challenge(ConnectionAuth auth) {
        if (!state.hasAccounts()) {
            return status("NOACC");
        }
        auth.challenge = challengeFor(auth);
        ObjectNode chall = Json.MAPPER.createObjectNode();
        chall.put("challenge", auth.challenge);
        chall.put("status", "CHALL");
        return chall;
    }

    private boolean credentialsMatch(JsonNode login, ConnectionAuth auth) {
        if (!login.hasNonNull("username")) {
            return false;
        }
        String stored = state.passwordMd5(login.get("username").asText());
        return stored != null && Md5.hex(stored + challengeFor(auth)).equals(login.path("password").asText());
    }

    /** Mist's challenge: md5(day-month-year + peer IP), so it is stable for a peer within a day. */
    private static String challengeFor(ConnectionAuth auth) {
        return Md5.hex(LocalDate.now().format(DAY) + auth.peerIp());
    }

    private static ObjectNode status(String status) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("status", status);
        return node;
    }
}
