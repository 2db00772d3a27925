package io.mistguard.sim.fault;

/**
 * The chaos mode of one sim-mist: at most one {@link ChaosRunner} plays a {@link ChaosSchedule}
 * over its {@link Faults} at a time. Started from tests ({@code SimMist.chaos()}), the control port
 * ({@code POST /chaos}) or the command line ({@code --chaos-seed}). Thread-safe.
 */
public final class Chaos implements AutoCloseable {

    private final Faults faults;
    private ChaosRunner runner;

    public Chaos(Faults faults) {
        this.faults = faults;
    }

    /** Stops any runner, then plays {@code schedule}; returns the new runner. */
    public synchronized ChaosRunner start(ChaosSchedule schedule) {
        stop();
        runner = ChaosRunner.start(faults, schedule);
        return runner;
    }

    /** Stops the runner, if any, and removes its current rule. */
    public synchronized void stop() {
        if (runner != null) {
            runner.close();
            runner = null;
        }
    }

    /** The runner playing now, or {@code null}. */
    public synchronized ChaosRunner runner() {
        return runner;
    }

    @Override
    public void close() {
        stop();
    }
}
