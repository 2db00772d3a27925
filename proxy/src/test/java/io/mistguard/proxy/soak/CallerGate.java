package io.mistguard.proxy.soak;

/**
 * How the soak holds its callers: running, paused (each caller closes its connection and waits, so
 * that mistguard can go quiet for a resource sample) or stopped. {@link #pause()} returns once every
 * caller has stopped sending. Thread-safe.
 */
final class CallerGate {

    private final int callers;
    private boolean paused;
    private boolean stopped;
    private int waiting;

    CallerGate(int callers) {
        this.callers = callers;
    }

    /** True while a caller should hold still; it then closes its connection and calls {@link #proceed()}. */
    synchronized boolean holding() {
        return paused || stopped;
    }

    /** Waits out a pause; false once stopped. Called by a caller between its requests. */
    synchronized boolean proceed() throws InterruptedException {
        if (paused && !stopped) {
            waiting++;
            notifyAll();
            while (paused && !stopped) {
                wait();
            }
            waiting--;
        }
        return !stopped;
    }

    /** Holds every caller; true once all of them are waiting, false if that took longer than {@code millis}. */
    synchronized boolean pause(long millis) throws InterruptedException {
        paused = true;
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (waiting < callers) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    synchronized void resume() {
        paused = false;
        notifyAll();
    }

    synchronized void stop() {
        stopped = true;
        notifyAll();
    }
}
