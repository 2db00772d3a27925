package io.mistguard.sim.fault;

import io.mistguard.sim.api.MistRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One fault-injection rule: which requests it matches (command key, path, stream; unset = any), what
 * it does ({@link FaultAction}) and how often ({@link #times}, {@link #probability}). Immutable: every
 * verb returns a new rule, so a rule can be built in one chain and shared freely.
 */
public final class FaultRule {

    private final String command;
    private final String path;
    private final String stream;
    private final FaultAction action;
    private final Duration min;
    private final Duration max;
    private final int amount;
    private final int times;
    private final double probability;

    private FaultRule(String command, String path, String stream, FaultAction action, Duration min, Duration max,
                      int amount, int times, double probability) {
        this.command = command;
        this.path = path;
        this.stream = stream;
        this.action = action;
        this.min = min;
        this.max = max;
        this.amount = amount;
        this.times = times;
        this.probability = probability;
    }

    /** Matches requests whose command carries the top-level key {@code command}. */
    public static FaultRule forCommand(String command) {
        return any().with(Objects.requireNonNull(command, "command"), null, null);
    }

    /** Matches requests to exactly this path (e.g. {@code /koekjes}, {@code /api2}). */
    public static FaultRule forPath(String path) {
        return any().with(null, Objects.requireNonNull(path, "path"), null);
    }

    /** Matches every request on the API port. */
    public static FaultRule any() {
        return new FaultRule(null, null, null, FaultAction.NONE, Duration.ZERO, Duration.ZERO, 0, 0, 1.0);
    }

    /** Also requires the command to touch this stream. */
    public FaultRule stream(String name) {
        return with(command, path, Objects.requireNonNull(name, "stream"));
    }

    /** Also requires this path (for a command rule). */
    public FaultRule path(String exactPath) {
        return with(command, Objects.requireNonNull(exactPath, "path"), stream);
    }

    public FaultRule delay(Duration fixed) {
        return delay(fixed, fixed);
    }

    /** A delay drawn uniformly from [min, max], spent holding the global lock. */
    public FaultRule delay(Duration minDelay, Duration maxDelay) {
        if (minDelay.isNegative() || maxDelay.compareTo(minDelay) < 0) {
            throw new IllegalArgumentException("delay: " + minDelay + ".." + maxDelay + " (expected: 0 <= min <= max)");
        }
        return act(FaultAction.DELAY, minDelay, maxDelay, 0);
    }

    public FaultRule hang() {
        return act(FaultAction.HANG, Duration.ZERO, Duration.ZERO, 0);
    }

    public FaultRule hangHoldingLock() {
        return act(FaultAction.HANG_HOLDING_LOCK, Duration.ZERO, Duration.ZERO, 0);
    }

    public FaultRule slowFirstByte(Duration wait) {
        return act(FaultAction.SLOW_FIRST_BYTE, wait, wait, 0);
    }

    public FaultRule dribble(int bytesPerChunk, Duration interval) {
        if (bytesPerChunk < 1) {
            throw new IllegalArgumentException("bytesPerChunk: " + bytesPerChunk + " (expected: > 0)");
        }
        return act(FaultAction.DRIBBLE, interval, interval, bytesPerChunk);
    }

    public FaultRule resetMidResponse() {
        return act(FaultAction.RESET_MID_RESPONSE, Duration.ZERO, Duration.ZERO, 0);
    }

    public FaultRule closeWithoutResponse() {
        return act(FaultAction.CLOSE_WITHOUT_RESPONSE, Duration.ZERO, Duration.ZERO, 0);
    }

    public FaultRule status(int httpStatus) {
        if (httpStatus < 100 || httpStatus > 599) {
            throw new IllegalArgumentException("status: " + httpStatus + " (expected: 100..599)");
        }
        return act(FaultAction.STATUS, Duration.ZERO, Duration.ZERO, httpStatus);
    }

    public FaultRule malformedJson() {
        return act(FaultAction.MALFORMED_JSON, Duration.ZERO, Duration.ZERO, 0);
    }

    public FaultRule truncated() {
        return act(FaultAction.TRUNCATED, Duration.ZERO, Duration.ZERO, 0);
    }

    public FaultRule hugeBody(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: > 0)");
        }
        return act(FaultAction.HUGE_BODY, Duration.ZERO, Duration.ZERO, bytes);
    }

    /** Bytes that are not an HTTP response at all instead of the reply; the connection stays open. */
    public FaultRule garbage() {
        return act(FaultAction.GARBAGE, Duration.ZERO, Duration.ZERO, 0);
    }

    /** A complete reply (with its Content-Length, no {@code Connection: close}), then the connection is closed. */
    public FaultRule closeAfterReply() {
        return act(FaultAction.CLOSE_AFTER_REPLY, Duration.ZERO, Duration.ZERO, 0);
    }

    /** Applies to the next {@code n} matching requests only, then the rule is removed. */
    public FaultRule times(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("times: " + n + " (expected: > 0)");
        }
        return new FaultRule(command, path, stream, action, min, max, amount, n, probability);
    }

    /** Applies to each matching request with probability {@code p}. */
    public FaultRule probability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("probability: " + p + " (expected: 0..1)");
        }
        return new FaultRule(command, path, stream, action, min, max, amount, times, p);
    }

    public String command() { return command; }
    public String path() { return path; }
    public String stream() { return stream; }
    public FaultAction action() { return action; }
    /** The delay, first-byte wait or dribble interval (the lower bound for a delay range). */
    public Duration minDelay() { return min; }
    public Duration maxDelay() { return max; }
    /** Status code, dribble chunk size or huge-body size, depending on the action. */
    public int amount() { return amount; }
    /** 0 = unlimited. */
    public int times() { return times; }
    public double probability() { return probability; }

    boolean matches(MistRequest request) {
        return (command == null || request.commandKeys().contains(command))
                && (path == null || request.path().equals(path))
                && (stream == null || request.streams().contains(stream));
    }

    boolean rollDice() {
        return probability >= 1.0 || ThreadLocalRandom.current().nextDouble() < probability;
    }

    /** A delay drawn uniformly from [minDelay, maxDelay], for the API port to apply. */
    public Duration pickDelay() {
        long lo = min.toNanos();
        long hi = max.toNanos();
        return hi <= lo ? min : Duration.ofNanos(ThreadLocalRandom.current().nextLong(lo, hi + 1));
    }

    private FaultRule with(String c, String p, String s) {
        return new FaultRule(c, p, s, action, min, max, amount, times, probability);
    }

    private FaultRule act(FaultAction a, Duration lo, Duration hi, int n) {
        return new FaultRule(command, path, stream, a, lo, hi, n, times, probability);
    }

    @Override
    public String toString() {
        return "FaultRule{command=" + command + ", path=" + path + ", stream=" + stream + ", action=" + action
                + ", delay=" + min + ".." + max + ", amount=" + amount + ", times=" + times
                + ", probability=" + probability + "}";
    }
}
