package io.mistguard.sim.fault;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A seeded plan of fault episodes for chaos mode: after a calm pause, one {@link FaultRule} is active
 * for a while, then removed; then the next. Which fault, on which requests (any, one command, one
 * path), how often (its probability) and for how long all come from the seed, so a seed printed by
 * a failed run replays the same plan. Which request a probabilistic rule hits still depends on
 * timing, as it would against a real Mist.
 *
 * <p>The faults drawn are every {@link FaultAction} but {@code NONE} and {@code HUGE_BODY}: hang,
 * hang holding Mist's global lock, reset mid-response, slow first byte, slow body (dribble),
 * garbage, malformed JSON, truncated body, 5xx, close after reply, close without response, and a
 * delay holding the lock. Immutable; {@link #episodes()} starts a fresh, single-threaded sequence.
 *
 * @param seed      the seed of every draw
 * @param commands  command keys an episode may be limited to
 * @param paths     paths an episode may be limited to
 * @param minLength shortest episode; {@code maxLength} the longest
 * @param minCalm   shortest pause before an episode; {@code maxCalm} the longest
 */
public record ChaosSchedule(long seed, List<String> commands, List<String> paths, Duration minLength,
                            Duration maxLength, Duration minCalm, Duration maxCalm) {

    /** The commands catalyst-api sends (mist-api.md §3), as scopes. */
    public static final List<String> MIST_COMMANDS = List.of("active_streams", "config", "invalidate_sessions",
            "push_auto_add", "nuke_stream", "stop_sessions", "authorize");
    /** The API paths, the Prometheus paths and the web UI, as scopes. */
    public static final List<String> MIST_PATHS = List.of("/", "/api", "/api2", "/koekjes", "/koekjes.json");

    private static final List<FaultAction> DRAWN = List.of(FaultAction.HANG, FaultAction.HANG_HOLDING_LOCK,
            FaultAction.RESET_MID_RESPONSE, FaultAction.SLOW_FIRST_BYTE, FaultAction.DRIBBLE, FaultAction.GARBAGE,
            FaultAction.MALFORMED_JSON, FaultAction.TRUNCATED, FaultAction.STATUS, FaultAction.CLOSE_AFTER_REPLY,
            FaultAction.CLOSE_WITHOUT_RESPONSE, FaultAction.DELAY);
    private static final int[] STATUSES = {500, 502, 503, 504};

    public ChaosSchedule {
        commands = List.copyOf(Objects.requireNonNull(commands, "commands"));
        paths = List.copyOf(Objects.requireNonNull(paths, "paths"));
        requireRange(minLength, maxLength, "length");
        requireRange(minCalm, maxCalm, "calm");
        if (minLength.isZero()) {
            throw new IllegalArgumentException("minLength: 0 (expected: > 0)");
        }
    }

    /** Mist's commands and paths, episodes of 1–6 s after calm pauses of 0.5–3 s. */
    public static ChaosSchedule seeded(long seed) {
        return new ChaosSchedule(seed, MIST_COMMANDS, MIST_PATHS, Duration.ofSeconds(1), Duration.ofSeconds(6),
                Duration.ofMillis(500), Duration.ofSeconds(3));
    }

    /** This schedule with other episode lengths. */
    public ChaosSchedule lengths(Duration min, Duration max) {
        return new ChaosSchedule(seed, commands, paths, min, max, minCalm, maxCalm);
    }

    /** This schedule with other calm pauses. */
    public ChaosSchedule calm(Duration min, Duration max) {
        return new ChaosSchedule(seed, commands, paths, minLength, maxLength, min, max);
    }

    /** One fault, when it starts (after {@code calmBefore}) and how long it stays. */
    public record Episode(FaultRule rule, Duration calmBefore, Duration length) {
    }

    /** The fault actions episodes are drawn from. */
    public static List<FaultAction> actions() {
        return DRAWN;
    }

    /** A fresh sequence of episodes from the seed; the same seed gives the same sequence. Not thread-safe. */
    public Episodes episodes() {
        return new Episodes(new SplittableRandom(seed));
    }

    /** An endless sequence of episodes. */
    public final class Episodes {
        private final SplittableRandom random;

        private Episodes(SplittableRandom random) {
            this.random = random;
        }

        public Episode next() {
            Duration calm = between(minCalm, maxCalm);
            Duration length = between(minLength, maxLength);
            FaultRule rule = act(scope(), DRAWN.get(random.nextInt(DRAWN.size())));
            double probability = 0.05 + 0.95 * random.nextDouble();
            if (rule.action() == FaultAction.HANG_HOLDING_LOCK) {
                probability = Math.min(probability, 0.2); // one stuck request stalls every command
            }
            return new Episode(rule.probability(Math.round(probability * 100) / 100.0), calm, length);
        }

        private FaultRule scope() {
            int kind = random.nextInt(10);
            if (kind < 3 || commands.isEmpty() && paths.isEmpty()) {
                return FaultRule.any();
            }
            if (kind < 8 && !commands.isEmpty() || paths.isEmpty()) {
                return FaultRule.forCommand(commands.get(random.nextInt(commands.size())));
            }
            return FaultRule.forPath(paths.get(random.nextInt(paths.size())));
        }

        private FaultRule act(FaultRule scope, FaultAction action) {
            return switch (action) {
                case HANG -> scope.hang();
                case HANG_HOLDING_LOCK -> scope.hangHoldingLock();
                case RESET_MID_RESPONSE -> scope.resetMidResponse();
                case SLOW_FIRST_BYTE -> scope.slowFirstByte(millis(100, 3000));
                case DRIBBLE -> scope.dribble(16 + random.nextInt(241), millis(20, 300));
                case GARBAGE -> scope.garbage();
                case MALFORMED_JSON -> scope.malformedJson();
                case TRUNCATED -> scope.truncated();
                case STATUS -> scope.status(STATUSES[random.nextInt(STATUSES.length)]);
                case CLOSE_AFTER_REPLY -> scope.closeAfterReply();
                case CLOSE_WITHOUT_RESPONSE -> scope.closeWithoutResponse();
                case DELAY -> {
                    Duration lo = millis(50, 1000);
                    yield scope.delay(lo, lo.plus(millis(0, 1000)));
                }
                default -> throw new IllegalStateException("not drawn: " + action);
            };
        }

        private Duration millis(long lo, long hi) {
            return Duration.ofMillis(lo + random.nextLong(hi - lo + 1));
        }

        private Duration between(Duration lo, Duration hi) {
            long span = hi.toMillis() - lo.toMillis();
            return lo.plusMillis(span <= 0 ? 0 : random.nextLong(span + 1));
        }
    }

    private static void requireRange(Duration min, Duration max, String what) {
        Objects.requireNonNull(min, what);
        Objects.requireNonNull(max, what);
        if (min.isNegative() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException(what + ": " + min + ".." + max + " (expected: 0 <= min <= max)");
        }
    }
}
