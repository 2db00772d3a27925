package io.mistguard.proxy.soak;

/**
 * What every soak caller shares: where mistguard listens, the route budgets, epsilon, and the
 * ledgers the callers write (invariants, accepted invalidations, counts, late answers, restarts), plus the
 * gate that pauses and stops them. Thread-safe: its parts are.
 *
 * @param epsilonMillis how far past its budget a caller may wait before it is a violation
 */
record SoakContext(int proxyPort, int triggerPort, Budgets budgets, long epsilonMillis, Invariants invariants,
                   InvalidationLedger ledger, Tally tally, LateAnswers late, RestartWindows restarts,
                   CallerGate gate) {
}
