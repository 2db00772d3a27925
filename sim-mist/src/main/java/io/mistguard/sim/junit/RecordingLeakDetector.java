package io.mistguard.sim.junit;

import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Netty {@link ResourceLeakDetector} that remembers every leak it reports, so a test run can fail
 * on a leak instead of merely logging it.
 *
 * <p>Installed in test JVMs with {@code -Dio.netty.customResourceLeakDetector=} this class (see the
 * parent {@code pom.xml}); {@link NettyLeakGuard} reads and clears the reports after each test class.
 * Thread-safe: Netty reports leaks from whichever thread happens to poll its reference queue.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
    }

    @SuppressWarnings("deprecation")
    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        super(resourceType, samplingInterval, maxActive);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        REPORTS.add("LEAK: " + resourceType + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        REPORTS.add("LEAK: " + resourceType + " (untraced)");
        super.reportUntracedLeak(resourceType);
    }

    /** Returns the leaks reported since the last call and forgets them. */
    static List<String> drainReports() {
        List<String> copy = List.copyOf(REPORTS);
        REPORTS.removeAll(copy);
        return copy;
    }
}
