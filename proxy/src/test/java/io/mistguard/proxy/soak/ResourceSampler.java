package io.mistguard.proxy.soak;

import com.fasterxml.jackson.databind.JsonNode;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.ChaosRunner;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Takes a {@link ResourceSample} of the running mistguard with everything quiet: holds the callers
 * (they close their connections), the chaos and catalyst-api's moods; waits until mistguard has no
 * attempt at Mist and no invalidation held; runs a full GC in it; reads its heap, threads and
 * descriptors; then lets everything go again. Not thread-safe: the soak's main thread uses it.
 */
final class ResourceSampler {

    static final Duration DRAIN = Duration.ofSeconds(30);

    private final SimMist mist;
    private final CatalystStub catalyst;
    private final AdminClient admin;
    private final int triggerPort;
    private final Tally tally;
    private final Consumer<String> say;

    ResourceSampler(SimMist mist, CatalystStub catalyst, AdminClient admin, int triggerPort, Tally tally,
                    Consumer<String> say) {
        this.mist = mist;
        this.catalyst = catalyst;
        this.admin = admin;
        this.triggerPort = triggerPort;
        this.tally = tally;
        this.say = say;
    }

    /** Quiets callers, chaos and catalyst-api, samples {@code mistguard}, and lets them go again. */
    ResourceSample quiesceAndSample(String when, MistguardProcess mistguard, SoakContext ctx) throws Exception {
        ChaosRunner chaos = mist.chaos().runner();
        if (chaos != null) {
            chaos.pause();
        }
        catalyst.calm(true);
        boolean paused = ctx.gate().pause(ctx.budgets().longest() + ctx.epsilonMillis() + Caller.GRACE_MILLIS + 5_000);
        try {
            if (!paused) {
                tally.add("sample/callers did not all pause");
            }
            return sample(when, mistguard);
        } finally {
            ctx.gate().resume();
            catalyst.calm(false);
            if (chaos != null) {
                chaos.resume();
            }
        }
    }

    /** Samples {@code mistguard} once it is idle; the callers must already be quiet. */
    ResourceSample sample(String when, MistguardProcess mistguard) throws Exception {
        awaitIdle();
        if (!mistguard.collectGarbage()) {
            tally.add("sample/jcmd GC.run failed");
        }
        if (!mistguard.alive()) {
            throw new SoakAborted("mistguard is gone (" + when + ")");
        }
        ResourceSample s;
        try {
            s = ResourceSample.parse(when, admin.metrics(), InboundSockets.count(mistguard.pid(), triggerPort));
        } catch (IOException e) {
            throw new SoakAborted("mistguard's admin listener did not answer (" + when + "): " + e);
        }
        say.accept(s.toString());
        return s;
    }

    /** Invalidations mistguard holds (waiting or in flight), or -1 when it does not answer. */
    long heldInvalidations() {
        try {
            JsonNode q = admin.invalidations();
            return q.path("depth").asLong() + q.path("in_flight").asLong();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Waits (up to {@link #DRAIN}) until mistguard has no attempt at Mist and no invalidation held. */
    private void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (admin.inflight().path("inflight").isEmpty() && heldInvalidations() == 0) {
                    return;
                }
            } catch (IOException e) {
                // not answering yet or any more: keep waiting until the deadline
            }
            Thread.sleep(100);
        }
        tally.add("sample/not idle within " + DRAIN.toSeconds() + "s");
    }
}
