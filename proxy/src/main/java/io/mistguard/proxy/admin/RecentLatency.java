package io.mistguard.proxy.admin;

import io.mistguard.proxy.metrics.RouteLatency;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The last minute of each route's answer latencies and stale answers, for {@code /admin/routes}.
 * The route histograms ({@link RouteLatency}) count from start, and a p99 since start hides an outage
 * that began a minute ago; so this keeps readings of them, at most one a second, taken when the view
 * is asked for (nothing runs while nobody looks), and answers with the difference between the
 * reading now and the oldest one inside {@link #WINDOW}. Quantiles are estimated inside their bucket
 * by linear interpolation, as Prometheus' {@code histogram_quantile} does, so the page and a Grafana
 * panel on the same buckets agree. Readings are at most 61 per route; routes that are gone are dropped.
 *
 * <p>Time is the caller's ({@code nowNanos}, any monotonic nanosecond clock). Used on the admin
 * listener's event loop; synchronized so that it stays correct on any thread, and never contended
 * there (one thread).
 */
final class RecentLatency {

    /** How far back the figures reach when readings that old exist. */
    static final Duration WINDOW = Duration.ofMinutes(1);
    /** The least time between two kept readings. */
    static final Duration SPACING = Duration.ofSeconds(1);

    private final Map<String, ArrayDeque<Reading>> readings = new HashMap<>();

    /** One reading of a route's meters and when it was taken. */
    private record Reading(long atNanos, RouteLatency latency) {
    }

    /**
     * What a route answered recently.
     *
     * @param window the time the figures cover; {@code null} when there was no earlier reading, and
     *               they cover everything since the route's meters were registered
     * @param answers answers in the window
     * @param p50 the median answer time; {@code null} without answers
     * @param p99 the 99th percentile; {@code null} without answers
     * @param staleAnswers last-known-good answers served in the window
     * @param staleMeanAge their mean age; {@code null} when none was served
     */
    record Figures(Duration window, long answers, Quantile p50, Quantile p99, long staleAnswers,
                   Duration staleMeanAge) {
    }

    /**
     * A quantile as a histogram can tell it: the bucket it lies in, and an estimate inside it.
     * Answers a little past a bucket bound (a route's timeout is one) are estimated well past it, so
     * a reader that compares with the budget should compare {@code above}: the quantile is known to
     * exceed it.
     *
     * @param estimate interpolated linearly inside the bucket; the largest bound when beyond the buckets
     * @param above the bucket's lower bound (zero for the first bucket): the quantile is more than this
     * @param atMost the bucket's upper bound; {@code null} when the quantile lies beyond the largest
     *               bound (10 s, or the route's timeout when longer)
     */
    record Quantile(Duration estimate, Duration above, Duration atMost) {
    }

    /** The figures of {@code route} from its reading {@code now}, taken at {@code nowNanos}; keeps the reading. */
    synchronized Figures observe(String route, RouteLatency now, long nowNanos) {
        ArrayDeque<Reading> kept = readings.computeIfAbsent(route, r -> new ArrayDeque<>());
        if (!kept.isEmpty() && restarted(kept.peekLast().latency(), now)) {
            kept.clear(); // a reload gave the route new meters: earlier readings count something else
        }
        Reading older = null;
        while (!kept.isEmpty() && nowNanos - kept.peekFirst().atNanos() > WINDOW.toNanos()) {
            older = kept.pollFirst();
        }
        // With no reading inside the window (nobody looked for a while), the newest older one is the
        // base: the figures then cover more than a minute, and say so.
        Reading base = kept.isEmpty() ? older : kept.peekFirst();
        if (kept.isEmpty() || nowNanos - kept.peekLast().atNanos() >= SPACING.toNanos()) {
            kept.addLast(new Reading(nowNanos, now));
        }
        return base == null ? figures(null, now, null) : figures(Duration.ofNanos(nowNanos - base.atNanos()), now,
                                                                 base.latency());
    }

    /** Forgets the routes not in {@code routes} (renamed or removed by a reload). */
    synchronized void retain(Set<String> routes) {
        readings.keySet().retainAll(routes);
    }

    private static boolean restarted(RouteLatency before, RouteLatency now) {
        return !before.bounds().equals(now.bounds()) || now.answers() < before.answers()
               || now.staleAnswers() < before.staleAnswers();
    }

    private static Figures figures(Duration window, RouteLatency now, RouteLatency base) {
        int n = now.bounds().size();
        long[] within = new long[n];
        for (int i = 0; i < n; i++) {
            within[i] = now.within(i) - (base == null ? 0 : base.within(i));
        }
        long answers = now.answers() - (base == null ? 0 : base.answers());
        long stale = now.staleAnswers() - (base == null ? 0 : base.staleAnswers());
        double staleSeconds = now.staleAgeSeconds() - (base == null ? 0 : base.staleAgeSeconds());
        return new Figures(window, answers, quantile(0.5, now.bounds(), within, answers),
                           quantile(0.99, now.bounds(), within, answers),
                           stale, stale == 0 ? null : Duration.ofNanos(Math.round(staleSeconds / stale * 1e9)));
    }

    /**
     * The {@code q} quantile of {@code answers} answers, {@code within[i]} of them at most
     * {@code bounds[i]}: the first bucket holding the rank, interpolated linearly inside it; the
     * largest bound when the rank lies beyond it; {@code null} without answers.
     */
    static Quantile quantile(double q, List<Duration> bounds, long[] within, long answers) {
        if (answers <= 0) {
            return null;
        }
        double rank = q * answers;
        long below = 0;
        long lower = 0;
        for (int i = 0; i < within.length; i++) {
            long upper = bounds.get(i).toNanos();
            if (within[i] >= rank && within[i] > below) {
                double share = (rank - below) / (within[i] - below);
                return new Quantile(Duration.ofNanos(lower + Math.round((upper - lower) * share)),
                                    Duration.ofNanos(lower), bounds.get(i));
            }
            below = within[i];
            lower = upper;
        }
        Duration last = bounds.get(within.length - 1);
        return new Quantile(last, last, null);
    }
}
