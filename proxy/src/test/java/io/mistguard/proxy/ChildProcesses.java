package io.mistguard.proxy;

import java.util.concurrent.TimeUnit;

/** Ends a child process a test started: SIGTERM, then a kill if it has not exited within 20 s. Stateless. */
final class ChildProcesses {

    private ChildProcesses() {
    }

    /** Stops {@code process} and waits for it; {@code null} does nothing. */
    static void stop(Process process) throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
