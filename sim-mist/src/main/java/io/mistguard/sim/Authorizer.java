package io.mistguard.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/**
 * Mist's per-connection authorisation (mist-api.md §2): local peers are let in unless a proxy header
 * is present, others get a {@code CHALL} and must answer md5hex(md5hex(pw) + challenge); with no
 * accounts the status is {@code NOACC}. Runs on the command thread only.
 */
final class Authorizer {

    /** Unauthorised connections are closed after this many failures (Catalyst's fork). */
    static final int MAX_FAILURES = 4;

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d-M-yyyy");

    private final SimState state;

    Authorizer(SimState state) {
        this.state = state;
    }

    /** The outcome: the {@code authorize} object to reply with and whether commands may run. */
    record Result(ObjectNode node, boolean ok, boolean closeAfter) {
    }

    Result check(MistRequest request, ConnectionAuth auth) {
        if (!state.hasAccounts()) {
            return new Result(status("NOACC"), false, false);
        }
        if (!auth.authorized && !request.proxied() && auth.peerIsOwnAddress()) {
            auth.authorized = true;
            auth.local = true;
        }
        if (!auth.authorized) {
            tryLogin(request.command(), auth);
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
        auth.challenge = challengeFor(auth);
        ObjectNode chall = Json.MAPPER.createObjectNode();
        chall.put("challenge", auth.challenge);
        chall.put("status", "CHALL");
        return new Result(chall, false, auth.failures >= MAX_FAILURES);
    }

    private void tryLogin(ObjectNode command, ConnectionAuth auth) {
        JsonNode login = command == null ? null : command.get("authorize");
        if (login == null || !login.hasNonNull("username")) {
            return;
        }
        String stored = state.passwordMd5(login.get("username").asText());
        if (stored != null && Md5.hex(stored + challengeFor(auth)).equals(login.path("password").asText())) {
            auth.authorized = true;
        }
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
