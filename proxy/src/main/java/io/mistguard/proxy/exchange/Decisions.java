package io.mistguard.proxy.exchange;

/**
 * The {@code Mistguard-Decision} header: how mistguard handled a request. Every response carries it,
 * so an operator can tell a proxied answer from one mistguard made up (design.md).
 */
public final class Decisions {

    /** Header name, as sent on every response. */
    public static final String HEADER = "Mistguard-Decision";
    /** Mist's own answer, passed through unchanged. */
    public static final String PROXIED = "proxied";
    /**
     * The reason when the caller's own, shorter deadline ended the wait ({@code 504}); distinct from
     * {@code timeout}, the route's budget, because only the latter says anything about Mist.
     */
    public static final String CALLER_DEADLINE = "caller-deadline";

    private Decisions() {
    }

    /** {@code rejected; reason=<reason>}: mistguard answered itself instead of Mist. */
    public static String rejected(String reason) {
        return "rejected; reason=" + reason;
    }
}
