package io.mistguard.proxy;

import java.util.function.BooleanSupplier;

/** Polls a condition that another thread makes true; fails after a generous 10 s, never on timing. */
public final class Await {

    private Await() {
    }

    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(5);
        }
    }
}
