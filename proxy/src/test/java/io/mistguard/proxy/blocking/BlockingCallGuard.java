package io.mistguard.proxy.blocking;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test during which a watched event loop made a blocking call ({@link BlockingCalls}), like
 * {@code NettyLeakGuard} does for leaks: BlockHound's error is thrown inside the loop, where the test
 * may never see it. A call made between tests (a connection closing after its test) fails the class.
 * Registered for every test through JUnit's extension auto-detection. Stateless.
 */
public final class BlockingCallGuard implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    @Override
    public void beforeEach(ExtensionContext context) {
        assertNone("before " + context.getDisplayName() + " (between tests)");
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertNone(context.getDisplayName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        assertNone("after the tests of " + context.getDisplayName());
    }

    static void assertNone(String where) {
        List<String> calls = BlockingCalls.drain();
        if (!calls.isEmpty()) {
            throw new AssertionError(calls.size() + " blocking call(s) on a mistguard event loop during " + where
                    + ":\n" + String.join("\n\n", calls));
        }
    }
}
