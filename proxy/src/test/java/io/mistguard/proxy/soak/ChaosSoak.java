package io.mistguard.proxy.soak;

import io.mistguard.proxy.LoopbackPorts;
import io.mistguard.sim.SimMist;
import io.mistguard.sim.fault.ChaosRunner;
import io.mistguard.sim.fault.ChaosSchedule;
import io.mistguard.sim.fault.FaultAction;
import io.mistguard.sim.fault.FaultRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One chaos soak, start to end: sim-mist in chaos mode, catalyst-api's stub, mistguard as a process
 * of its own, one caller thread per {@link Traffic} kind (three GetState pollers, two invalidators),
 * and a monitor. Its phases: calm warm-up, then chaos; a resource sample; SIGTERM while Mist hangs
 * every invalidation (so names must cross the restart in the state file) and a fresh start; chaos
 * again and a sample; a calm tail; then the end checks — every accepted invalidation delivered,
 * resources against the first samples, leak and blocking reports of both processes, a clean exit.
 * Every check lands in {@link Invariants}; {@link #run()} returns the report. Not thread-safe; run once.
 */
final class ChaosSoak {

    private static final Duration READY = Duration.ofSeconds(60);
    /** The longest a fault kind is played in the {@link #encore()}. */
    private static final Duration ENCORE = Duration.ofSeconds(3);
    /** The fault kinds issue #14 names: hang, hang holding the lock, reset, slow first byte, slow body, garbage, 5xx, close after reply. */
    private static final List<FaultAction> ISSUE_FAULTS = List.of(FaultAction.HANG, FaultAction.HANG_HOLDING_LOCK,
            FaultAction.RESET_MID_RESPONSE, FaultAction.SLOW_FIRST_BYTE, FaultAction.DRIBBLE, FaultAction.GARBAGE,
            FaultAction.STATUS, FaultAction.CLOSE_AFTER_REPLY);

    private final SoakSettings settings;
    private final long startNanos = System.nanoTime();
    private final Tally tally = new Tally();
    private final InvalidationLedger ledger = new InvalidationLedger();
    private final RestartWindows restarts = new RestartWindows();
    private final List<ResourceSample> samples = new ArrayList<>();
    private final List<MistguardProcess> processes = new ArrayList<>();
    private final List<RunQueueWatch> runQueues = new ArrayList<>();
    private final RunQueueWatch callerRunQueue = new RunQueueWatch(ProcessHandle.current().pid(), "sc-");
    private final StallLog soakStalls = new StallLog();
    private final StallLog mistguardStalls = new StallLog();
    private final LateAnswers late = new LateAnswers();
    private final List<String> timeline = new ArrayList<>();
    private SimMist mist;
    private CatalystStub catalyst;
    private Invariants invariants;
    private SoakConfig config;
    private AdminClient admin;
    private CallerGate gate;
    private SoakContext ctx;
    private ResourceSampler sampler;
    private MistguardProcess mistguard;
    private ChaosRunner chaosPlayed;
    private int stateFileNames = -1;
    /** When the callers started: the phases are timed from here, not from the JVMs' slow start. */
    private long trafficStartNanos;

    ChaosSoak(SoakSettings settings) {
        this.settings = settings;
    }

    SoakReport run() throws Exception {
        say(String.format("seed %d, %s; replay the fault plan with -Dsoak.seed=%d", settings.seed(),
                settings.length(), settings.seed()));
        clean(settings.dir());
        int triggerPort = LoopbackPorts.free();
        try (StallMonitor stalls = StallMonitor.into(soakStalls);
             CatalystStub stub = new CatalystStub(settings.seed() ^ 0x5EEDL, tally);
             SimMist sim = SimMist.builder().upstreamMist310().streams(Traffic.STREAMS, 2)
                     .triggerUrl("http://127.0.0.1:" + triggerPort + "/api/mist/trigger").start()) {
            mist = sim;
            catalyst = stub;
            invariants = new Invariants(startNanos, this::chaosNow);
            config = SoakConfig.write(settings.dir(), sim.port(), stub.port(), triggerPort);
            admin = new AdminClient(config.adminPort, SoakConfig.ADMIN_TOKEN);
            sampler = new ResourceSampler(sim, stub, admin, config.triggerPort, tally, this::say);
            mistguard = startMistguard();
            if (mistguard == null) {
                return report(0, sim.recording().maxConnectionsOpen());
            }
            trafficStartNanos = System.nanoTime();
            List<Thread> callers = startCallers(Budgets.of(admin.routes()));
            int bound = config.upstreamConnectionBound(remoteCallers());
            SoakMonitor monitor = new SoakMonitor(sim.recording(), bound, new BreakerAgreement(admin, invariants),
                    invariants, tally, () -> mistguard != null && mistguard.alive() && !restarting());
            Thread monitorThread = daemon(monitor, "soak-monitor");
            boolean completed = false;
            try {
                phases();
                completed = true;
            } catch (SoakAborted e) {
                say("aborted: " + e.getMessage());
            } finally {
                gate.stop();
                for (Thread t : callers) {
                    t.join(ctx.budgets().longest() + SoakSettings.EPSILON_MILLIS + Caller.GRACE_MILLIS + 5_000);
                }
                monitor.stop();
                monitorThread.interrupt();
            }
            if (completed) {
                endChecks(monitor);
            }
            judgeProcesses();
            return report(bound, monitor.peakConnections());
        }
    }

    private void phases() throws Exception {
        say("calm warm-up");
        until(settings.warmUp());
        samples.add(sampler.quiesceAndSample("mistguard 1 after warm-up", mistguard, ctx));
        say("chaos");
        chaosPlayed = mist.chaos().start(ChaosSchedule.seeded(settings.seed())
                .lengths(Duration.ofMillis(500), Duration.ofSeconds(4)).calm(Duration.ofMillis(200), Duration.ofSeconds(2)));
        until(settings.restartAt().minusSeconds(5));
        samples.add(sampler.quiesceAndSample("mistguard 1 before SIGTERM", mistguard, ctx));
        until(settings.restartAt());
        restart();
        Thread.sleep(settings.warmUp().toMillis()); // the new process warms up as the first did, however long it took to start
        samples.add(sampler.quiesceAndSample("mistguard 2 after warm-up", mistguard, ctx));
        until(settings.length().minus(settings.calmTail()));
        encore();
        say("calm tail");
        mist.chaos().stop();
        catalyst.calm(true);
        until(settings.length());
        say("callers stop");
    }

    /**
     * Plays, on every request, each fault kind the issue names that the random plan has not yet
     * injected, until it hits one request (at most {@link #ENCORE} each): a 2-minute plan of some 25
     * episodes drawn from 12 kinds, each on a random scope with a random probability, leaves at least
     * one of them out in most runs, and nothing else said so. The restart's hang of every invalidation
     * counts as a hang. A floor, not a soak of its own: one hit each. Then checks that every one was
     * injected.
     */
    private void encore() throws InterruptedException {
        ChaosRunner chaos = mist.chaos().runner();
        chaos.pause();
        for (FaultAction action : ISSUE_FAULTS) {
            if (mist.faults().injected().getOrDefault(action, 0L) > 0) {
                continue;
            }
            FaultRule any = FaultRule.any();
            FaultRule rule = switch (action) {
                case HANG -> any.hang();
                case HANG_HOLDING_LOCK -> any.hangHoldingLock();
                case RESET_MID_RESPONSE -> any.resetMidResponse();
                case SLOW_FIRST_BYTE -> any.slowFirstByte(Duration.ofMillis(1_500));
                case DRIBBLE -> any.dribble(32, Duration.ofMillis(100));
                case GARBAGE -> any.garbage();
                case STATUS -> any.status(503);
                case CLOSE_AFTER_REPLY -> any.closeAfterReply();
                default -> throw new IllegalStateException("no encore for " + action);
            };
            say("encore: " + ChaosRunner.describe(rule) + " (the plan never injected it)");
            mist.faults().add(rule);
            long deadline = System.nanoTime() + ENCORE.toNanos();
            while (mist.faults().injected().getOrDefault(action, 0L) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            mist.faults().remove(rule);
            tally.add("encore/" + action);
        }
        Map<FaultAction, Long> injected = mist.faults().injected();
        for (FaultAction action : ISSUE_FAULTS) {
            invariants.check(Invariants.FAULTS, injected.getOrDefault(action, 0L) > 0,
                    () -> action + " was never injected, not even by the encore");
        }
        chaos.resume();
    }

    /**
     * SIGTERM while Mist hangs every invalidation, so that accepted names are still held when
     * mistguard stops and must reach the next process through the state file; then a fresh start on
     * the same ports. Callers keep calling throughout.
     */
    private void restart() throws Exception {
        ChaosRunner chaos = mist.chaos().runner();
        chaos.pause();
        FaultRule hang = FaultRule.forCommand("invalidate_sessions").hang();
        mist.faults().add(hang);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (sampler.heldInvalidations() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        Thread.sleep(1_000);
        long held = sampler.heldInvalidations();
        say("SIGTERM to mistguard 1 with " + held + " invalidations held");
        restarts.begin();
        int status = mistguard.terminate(Duration.ofSeconds(30));
        restarts.exited();
        say("mistguard 1 exited " + status);
        invariants.check(Invariants.RESTART, status == 0, () -> "mistguard exited " + status + " on SIGTERM");
        List<String> stateLines = Files.exists(config.stateFile) ? Files.readAllLines(config.stateFile) : List.of();
        stateFileNames = (int) stateLines.stream().filter(l -> !l.startsWith("#")).count();
        long onceHeld = stateLines.stream().filter(l -> l.contains(Traffic.ONCE_PREFIX)).count();
        // Without names sent only once among those that crossed, a next start that drops the state
        // file's names goes unseen: every other name comes back from the callers and is delivered then.
        invariants.check(Invariants.RESTART, held <= 0 || onceHeld > 0, () -> "SIGTERM with " + held
                + " invalidations held left " + stateFileNames + " names in the state file, " + onceHeld
                + " of them sent only once");
        mist.faults().remove(hang);
        mistguard = startMistguard();
        restarts.end();
        if (mistguard == null) {
            throw new SoakAborted("mistguard 2 did not start");
        }
        say("mistguard 2 ready");
        chaos.resume();
    }

    private MistguardProcess startMistguard() throws IOException, InterruptedException {
        MistguardProcess p = MistguardProcess.start(config.file,
                settings.dir().resolve("mistguard-" + (processes.size() + 1) + ".log"));
        processes.add(p);
        runQueues.add(new RunQueueWatch(p.pid(), "mistguard-io"));
        boolean ready = p.awaitReady(admin, READY);
        invariants.check(Invariants.RESTART, ready, () -> "mistguard " + processes.size() + " not ready within " + READY);
        if (!ready) {
            p.terminate(Duration.ofSeconds(10)); // never leave it running: it outlived the test before
        }
        return ready ? p : null;
    }

    private List<Thread> startCallers(Budgets budgets) {
        List<Traffic> kinds = new ArrayList<>();
        for (Traffic t : Traffic.values()) {
            int copies = t == Traffic.GET_STATE ? 3 : t == Traffic.INVALIDATE ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                kinds.add(t);
            }
        }
        gate = new CallerGate(kinds.size());
        ctx = new SoakContext(config.proxyPort, config.triggerPort, budgets, SoakSettings.EPSILON_MILLIS, invariants,
                ledger, tally, late, restarts, gate);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            long seed = settings.seed() + (i + 1) * 0x9E3779B97F4A7C15L;
            // "sc-NN-KIND": unique within the 15 characters the kernel keeps of a thread's name (RunQueueWatch)
            threads.add(daemon(new Caller(kinds.get(i), ctx, seed), String.format("sc-%02d-%s", i, kinds.get(i))));
        }
        return threads;
    }

    private static int remoteCallers() {
        int n = 0;
        for (Traffic t : Traffic.values()) {
            n += t.remote ? 1 : 0;
        }
        return n;
    }

    private void endChecks(SoakMonitor monitor) throws Exception {
        mist.faults().clear();
        say("end checks");
        ledger.checkDelivered(mist.recording(), invariants, startNanos, ResourceSampler.DRAIN);
        samples.add(sampler.sample("mistguard 2 at the end", mistguard));
        monitor.checkNow();
        checkCoverage();
        SoakResources.compare(samples.get(0), samples.get(1), config.loaded, invariants);
        SoakResources.compare(samples.get(2), samples.get(3), config.loaded, invariants);
        int status = mistguard.terminate(Duration.ofSeconds(30));
        invariants.check(Invariants.RESTART, status == 0, () -> "mistguard exited " + status + " on the final SIGTERM");
    }

    /**
     * Every caller kind got at least one answer from Mist (catalyst-api for triggers) on every route
     * it calls: without this, a mistguard that answers a whole route itself (a 503, say) passes every
     * other invariant, and an invalidation route that queues nothing loses nothing.
     */
    private void checkCoverage() {
        for (Traffic kind : Traffic.values()) {
            for (String route : kind.routes()) {
                long served = tally.get(Caller.served(kind, route));
                invariants.check(Invariants.COVERAGE, served > 0, () -> kind + " never got a 2xx answer from upstream"
                        + " on route " + route + " (" + tally.get("requests/" + kind) + " requests of this kind)");
            }
        }
    }

    /** Reads every mistguard process's log: stalls (to judge late answers), leaks, blocking calls. */
    private void judgeProcesses() throws Exception {
        for (MistguardProcess p : processes) {
            if (p.alive()) {
                p.terminate(Duration.ofSeconds(30));
            }
            p.stallsInto(mistguardStalls);
        }
        runQueues.forEach(RunQueueWatch::close);
        callerRunQueue.close();
        late.judge(soakStalls, callerRunQueue, mistguardStalls, runQueues, invariants, tally);
        for (MistguardProcess p : processes) {
            List<String> leaks = p.leakLines();
            invariants.check(Invariants.LEAKS, leaks.isEmpty(), () -> String.join("\n", leaks));
            List<String> blocking = p.blockingLines();
            invariants.check(Invariants.BLOCKING, blocking.isEmpty(), () -> String.join("\n", blocking));
        }
    }

    private SoakReport report(int bound, int peak) throws IOException {
        if (chaosPlayed != null) {
            Files.write(settings.dir().resolve("chaos-episodes.log"), chaosPlayed.history());
        }
        return new SoakReport(settings, Duration.ofNanos(System.nanoTime() - startNanos), invariants, tally, ledger,
                mist.faults().injected(), chaosPlayed == null ? Map.of() : chaosPlayed.episodes(), restarts.count(),
                stateFileNames, samples, bound, peak, mist.recording().pipelinedRequests(), soakStalls, mistguardStalls,
                runQueues.stream().mapToLong(RunQueueWatch::totalMillis).sum(), late.credited(), timeline);
    }

    /** A line of the soak's timeline, printed at once and kept for the report. */
    private void say(String what) {
        String line = String.format("[%7.1fs] %s", (System.nanoTime() - startNanos) / 1e9, what);
        System.out.println("chaos soak " + line);
        synchronized (timeline) {
            timeline.add(line);
        }
    }

    private String chaosNow() {
        ChaosRunner r = mist == null ? null : mist.chaos().runner();
        FaultRule now = r == null ? null : r.current();
        return now == null ? "none" : ChaosRunner.describe(now);
    }

    private boolean restarting() {
        return restarts.overlaps(System.nanoTime(), System.nanoTime());
    }

    /** Sleeps until {@code sinceStart} after the callers started. */
    private void until(Duration sinceStart) throws InterruptedException {
        long left = trafficStartNanos + sinceStart.toNanos() - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000);
        }
    }

    private static void clean(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
