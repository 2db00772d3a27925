package io.mistguard.sim.api;

/**
 * The switches that choose between behaviours different Mist builds show, fixed when sim-mist starts.
 * Public so that {@code SimMistBuilder} can resolve them from its settings and the scenario. Immutable.
 *
 * @param catalystLoginPenalty Catalyst's fork: sleep 1 s before every unauthorised reply and close the
 *     connection after 4 of them. Upstream Mist 3.10 does neither (mist-api.md §8).
 * @param replyShape how API replies lay out their JSON
 * @param onlyRealIpHidesPeer Catalyst's fork: only {@code X-Real-IP} stops a request on a connection
 *     from the host's own address being authorised as local ({@code controller_api.cpp},
 *     {@code !H.hasHeader("X-Real-IP") && conn.isLocal()}); upstream Mist 3.10 also takes
 *     {@code X-Forwarded-For} (mist-api.md §2, §8)
 */
public record MistBehaviour(boolean catalystLoginPenalty, ReplyShape replyShape, boolean onlyRealIpHidesPeer) {

    /** What sim-mist did before these switches existed; the builder's default. */
    public static final MistBehaviour DEFAULT = new MistBehaviour(true, ReplyShape.INSERTION_ORDER, false);

    /** Upstream Mist 3.10 as measured: no login penalty, its reply shape, both forwarding headers read. */
    public static final MistBehaviour UPSTREAM_3_10 = new MistBehaviour(false, ReplyShape.MIST_3_10, false);
}
