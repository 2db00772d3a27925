package io.mistguard.sim.fault;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Plays a {@link ChaosSchedule} against one sim-mist's {@link Faults}: waits the episode's calm
 * pause, adds its rule, removes it when the episode ends, and goes on until closed. Other rules
 * (a test's own) stay where they are; an episode's rule is added after them.
 *
 * <p>Runs on one daemon thread of its own ({@code sim-mist-chaos}), where sleeping is its job.
 * {@link #pause()} removes the current rule and holds the schedule until {@link #resume()}; the
 * episodes then continue where they stopped. Counts episodes per action and keeps the latest
 * {@value #HISTORY} episodes for a report. Thread-safe.
 */
public final class ChaosRunner implements AutoCloseable {

    static final int HISTORY = 2000;

    private final Faults faults;
    private final ChaosSchedule schedule;
    private final Thread thread;
    private final long startNanos = System.nanoTime();
    private final Map<FaultAction, Long> episodes = new EnumMap<>(FaultAction.class);
    private final Deque<String> history = new ArrayDeque<>();
    private FaultRule current;
    private boolean paused;
    private boolean closed;

    private ChaosRunner(Faults faults, ChaosSchedule schedule) {
        this.faults = faults;
        this.schedule = schedule;
        this.thread = new Thread(this::run, "sim-mist-chaos");
        thread.setDaemon(true);
    }

    /** Starts playing {@code schedule} on {@code faults} at once. */
    public static ChaosRunner start(Faults faults, ChaosSchedule schedule) {
        ChaosRunner runner = new ChaosRunner(faults, schedule);
        runner.thread.start();
        return runner;
    }

    public long seed() {
        return schedule.seed();
    }

    /** The rule of the episode in progress, or {@code null} during a calm pause or while paused. */
    public synchronized FaultRule current() {
        return current;
    }

    /** Episodes started so far, per action. */
    public synchronized Map<FaultAction, Long> episodes() {
        return new EnumMap<>(episodes);
    }

    /** The latest episodes, oldest first: seconds since start, the rule and how long it was planned for. */
    public synchronized List<String> history() {
        return new ArrayList<>(history);
    }

    /** Removes the current rule and starts no episode until {@link #resume()}. */
    public synchronized void pause() {
        paused = true;
        endEpisode();
    }

    public synchronized void resume() {
        paused = false;
        notifyAll();
    }

    /** Stops for good and removes the current rule; a lock it holds is let go only by {@link Faults#clear()}. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            endEpisode();
            notifyAll();
        }
        thread.interrupt();
    }

    private void run() {
        ChaosSchedule.Episodes plan = schedule.episodes();
        try {
            while (true) {
                ChaosSchedule.Episode next = plan.next();
                Thread.sleep(next.calmBefore().toMillis());
                if (!begin(next)) {
                    return;
                }
                Thread.sleep(next.length().toMillis());
                synchronized (this) {
                    if (current == next.rule()) {
                        endEpisode();
                    }
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Waits out a pause, then adds the episode's rule; false once closed. */
    private synchronized boolean begin(ChaosSchedule.Episode episode) throws InterruptedException {
        while (paused && !closed) {
            wait();
        }
        if (closed) {
            return false;
        }
        current = episode.rule();
        faults.add(current);
        episodes.merge(current.action(), 1L, Long::sum);
        if (history.size() == HISTORY) {
            history.removeFirst();
        }
        double at = (System.nanoTime() - startNanos) / 1e9;
        history.addLast(String.format("%8.1fs %s for %s", at, describe(current), episode.length()));
        return true;
    }

    private void endEpisode() {
        if (current != null) {
            faults.remove(current);
            current = null;
        }
    }

    /** A rule in one short line: action, its parameters, scope, probability. */
    public static String describe(FaultRule r) {
        StringBuilder s = new StringBuilder(r.action().name());
        switch (r.action()) {
            case DELAY -> s.append(' ').append(r.minDelay().toMillis()).append("..").append(r.maxDelay().toMillis())
                    .append("ms");
            case SLOW_FIRST_BYTE -> s.append(' ').append(r.minDelay().toMillis()).append("ms");
            case DRIBBLE -> s.append(' ').append(r.amount()).append("B/").append(r.minDelay().toMillis()).append("ms");
            case STATUS -> s.append(' ').append(r.amount());
            default -> {
            }
        }
        s.append(" on ").append(r.command() != null ? "command " + r.command()
                : r.path() != null ? "path " + r.path() : "every request");
        return s.append(" p=").append(r.probability()).toString();
    }

    /** How long the runner has been going. */
    public Duration uptime() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
