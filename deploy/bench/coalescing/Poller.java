import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load client of the coalescing benchmark: N pollers, each sending catalyst-api's GetState
 * (form-encoded POST /) back-to-back on its own keep-alive connection, for a warm-up and then a
 * measured window. Prints one result line: requests, non-200 answers, caller latency p50/p99/max of
 * the requests that completed in the window, and Mist calls/s from sim-mist's control endpoint:
 * {@code DELETE /recording} when the window opens, {@code commands.active_streams.count} of
 * {@code GET /recording} when it closes.
 *
 * <p>Usage: {@code java Poller.java PROXY_URL CONTROL_URL POLLERS WARMUP_S MEASURE_S LABEL}
 */
public final class Poller {

    static final String GET_STATE = "{\"active_streams\":[\"source\"],\"stats_streams\":[\"clients\",\"lastms\"],"
            + "\"push_list\":true,\"push_auto_list\":true}";
    static final Pattern COUNT = Pattern.compile("\"active_streams\"\\s*:\\s*\\{[^}]*\"count\"\\s*:\\s*(\\d+)");

    static volatile boolean measuring;
    static volatile boolean stopping;

    public static void main(String[] args) throws Exception {
        URI proxy = URI.create(args[0]);
        URI control = URI.create(args[1] + "/recording");
        int pollers = Integer.parseInt(args[2]);
        long warmupMs = Long.parseLong(args[3]) * 1000;
        long measureMs = Long.parseLong(args[4]) * 1000;
        String label = args[5];

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(proxy)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "command=" + URLEncoder.encode(GET_STATE, StandardCharsets.UTF_8)))
                .build();

        long[][] latencies = new long[pollers][];
        int[] counts = new int[pollers];
        AtomicLong non200 = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        CountDownLatch done = new CountDownLatch(pollers);
        for (int i = 0; i < pollers; i++) {
            latencies[i] = new long[1024];
            int me = i;
            Thread t = new Thread(() -> {
                while (!stopping) {
                    long start = System.nanoTime();
                    boolean counted = measuring;
                    try {
                        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        long took = System.nanoTime() - start;
                        if (counted && measuring) {
                            if (counts[me] == latencies[me].length) {
                                latencies[me] = Arrays.copyOf(latencies[me], counts[me] * 2);
                            }
                            latencies[me][counts[me]++] = took;
                            if (r.statusCode() != 200) {
                                non200.incrementAndGet();
                            }
                            bytes.addAndGet(r.body().length);
                        }
                    } catch (Exception e) {
                        if (counted && measuring) {
                            errors.incrementAndGet();
                        }
                    }
                }
                done.countDown();
            }, "poller-" + i);
            t.setDaemon(true);
            t.start();
        }

        Thread.sleep(warmupMs);
        // Zero the count (a cheap DELETE) instead of reading it: GET /recording lists up to 50 000
        // requests, and under load its reply takes seconds to arrive, so a count read before the
        // window would be taken long before the window really starts. The read after the window
        // snapshots the count as soon as the handler runs, before that long reply is written.
        http.send(HttpRequest.newBuilder(control).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        long t0 = System.nanoTime();
        measuring = true;
        Thread.sleep(measureMs);
        measuring = false;
        double seconds = (System.nanoTime() - t0) / 1e9;
        long mistBefore = 0;
        long mistAfter = mistCalls(http, control);
        stopping = true;
        done.await();

        int total = 0;
        for (int c : counts) {
            total += c;
        }
        long[] all = new long[total];
        int at = 0;
        for (int i = 0; i < pollers; i++) {
            System.arraycopy(latencies[i], 0, all, at, counts[i]);
            at += counts[i];
        }
        Arrays.sort(all);
        System.out.printf("%s pollers=%d requests/s=%.0f non200=%d errors=%d mist_calls/s=%.1f "
                        + "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f avg_body_bytes=%d%n",
                label, pollers, total / seconds, non200.get(), errors.get(), (mistAfter - mistBefore) / seconds,
                pct(all, 0.50), pct(all, 0.99), all.length == 0 ? 0 : all[all.length - 1] / 1e6,
                total == 0 ? 0 : bytes.get() / total);
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    static long mistCalls(HttpClient http, URI control) throws Exception {
        String body = http.send(HttpRequest.newBuilder(control).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = COUNT.matcher(body);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
