package io.mistguard.proxy.invalidation;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A test {@link InvalidationSender} whose calls stay outstanding until the test completes them, so
 * tests decide when and how each call ends. Records every call; fails the test if a second call
 * starts while one is outstanding. Single-threaded use (with {@code ManualClock}).
 */
final class ScriptedSender implements InvalidationSender {

    private final List<List<String>> calls = new ArrayList<>();
    private final ArrayDeque<CompletableFuture<Void>> outstanding = new ArrayDeque<>();

    @Override
    public CompletionStage<Void> send(List<String> names) {
        if (!outstanding.isEmpty()) {
            throw new AssertionError("second call while one is in flight: " + names);
        }
        calls.add(List.copyOf(names));
        CompletableFuture<Void> call = new CompletableFuture<>();
        outstanding.add(call);
        return call;
    }

    List<List<String>> calls() {
        return calls;
    }

    List<String> lastCall() {
        return calls.get(calls.size() - 1);
    }

    boolean inFlight() {
        return !outstanding.isEmpty();
    }

    void succeed() {
        next().complete(null);
    }

    void fail() {
        next().completeExceptionally(new RuntimeException("mist timed out"));
    }

    private CompletableFuture<Void> next() {
        CompletableFuture<Void> call = outstanding.poll();
        if (call == null) {
            throw new AssertionError("no call in flight");
        }
        return call;
    }
}
