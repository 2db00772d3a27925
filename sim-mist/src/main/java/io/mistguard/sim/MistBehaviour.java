package io.mistguard.sim;

/**
 * The switches that choose between behaviours different Mist builds show, fixed when sim-mist starts.
 * Immutable.
 *
 * @param catalystLoginPenalty Catalyst's fork: sleep 1 s before every unauthorised reply and close the
 *     connection after 4 of them. Upstream Mist 3.10 does neither (mist-api.md §8).
 */
record MistBehaviour(boolean catalystLoginPenalty) {

    /** What sim-mist did before these switches existed; the builder's default. */
    static final MistBehaviour DEFAULT = new MistBehaviour(true);
}
