package io.mistguard.proxy.soak;

import io.mistguard.sim.record.Recording;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * The soak's checks that are not tied to one request, every {@value #PERIOD_MILLIS} ms on a thread
 * of its own: the most connections sim-mist ever had open at once against the bound the soak's
 * config allows, requests that reached sim-mist pipelined (sim-mist counts every request that arrives
 * on a connection whose earlier request is unanswered), and breaker state against the metrics. A
 * violation is reported when it first shows, with the chaos episode of that moment, and again only
 * when it grows. Skips the admin checks while mistguard restarts.
 */
final class SoakMonitor implements Runnable {

    /** Often enough to catch a breaker in each state it passes through (it stays open 1 s). */
    static final long PERIOD_MILLIS = 500;

    private final Recording recording;
    private final int connectionBound;
    private final BreakerAgreement breakers;
    private final Invariants invariants;
    private final Tally tally;
    private final BooleanSupplier mistguardUp;
    private volatile boolean stopped;
    private int reportedPeak;
    private long reportedPipelined;

    SoakMonitor(Recording recording, int connectionBound, BreakerAgreement breakers, Invariants invariants,
                Tally tally, BooleanSupplier mistguardUp) {
        this.recording = recording;
        this.connectionBound = connectionBound;
        this.breakers = breakers;
        this.invariants = invariants;
        this.tally = tally;
        this.mistguardUp = mistguardUp;
    }

    @Override
    public void run() {
        while (!stopped) {
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            checkNow();
        }
    }

    /** Runs every check once; the soak calls it at the end too. */
    synchronized void checkNow() {
        int peak = recording.maxConnectionsOpen();
        if (!invariants.check(Invariants.CONNECTIONS, peak <= Math.max(connectionBound, reportedPeak),
                () -> peak + " connections to Mist open at once; the config allows " + connectionBound)) {
            reportedPeak = peak;
        }
        long pipelined = recording.pipelinedRequests();
        if (!invariants.check(Invariants.PIPELINING, pipelined <= reportedPipelined,
                () -> pipelined + " request(s) reached Mist on a connection still busy with an earlier one")) {
            reportedPipelined = pipelined;
        }
        if (!mistguardUp.getAsBoolean()) {
            return;
        }
        try {
            breakers.check();
        } catch (IOException e) {
            tally.add("monitor/admin unreachable");
        }
    }

    int peakConnections() {
        return recording.maxConnectionsOpen();
    }

    void stop() {
        stopped = true;
    }
}
