package io.mistguard.proxy.soak;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One soak caller: a thread that sends {@link Traffic} of one kind over a keep-alive connection of
 * its own, with a short random pause between requests, and judges every answer on the spot: its
 * wait on the caller's own clock against the route's budget, the decision header, and for remote
 * callers that nothing local reached them. A local caller's queued invalidations go to the ledger.
 * A remote caller that logs in answers each challenge with Mist's md5 login on the same connection.
 */
final class Caller implements Runnable {

    /** A wait past budget + epsilon is already a violation; this much longer shows by how much. */
    static final long GRACE_MILLIS = 2_000;
    private static final Pattern CHALLENGE = Pattern.compile("\"challenge\":\"([0-9a-f]+)\"");
    private static final InetAddress LOCAL = InetAddress.getLoopbackAddress();
    private static final InetAddress OTHER_PEER = address("127.0.0.2");

    private final Traffic kind;
    private final SoakContext ctx;
    private final SplittableRandom random;
    private SoakConnection connection;
    private String challenge;

    Caller(Traffic kind, SoakContext ctx, long seed) {
        this.kind = kind;
        this.ctx = ctx;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public void run() {
        try {
            while (true) {
                if (ctx.gate().holding()) {
                    drop();
                }
                if (!ctx.gate().proceed()) {
                    return;
                }
                Call call = kind.logsIn && challenge != null ? login(challenge) : kind.next(random);
                challenge = null;
                boolean answered = exchange(call);
                if (challenge == null) {
                    Thread.sleep(answered ? 10 + random.nextInt(50) : 100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            drop();
        }
    }

    /** Sends {@code call} and judges what came back; false when nothing did. */
    private boolean exchange(Call call) {
        long budget = ctx.budgets().millis(call.route(), call.deadlineMillis());
        long started = System.nanoTime();
        try {
            if (connection == null) {
                connection = SoakConnection.open(kind.fromOtherPeer ? OTHER_PEER : LOCAL,
                        kind.trigger() ? ctx.triggerPort() : ctx.proxyPort(), 2_000);
            }
            SoakConnection.Answer answer = connection.exchange(call.bytes(),
                    started + (budget + ctx.epsilonMillis() + GRACE_MILLIS) * 1_000_000);
            long ended = System.nanoTime();
            if (answer.closes()) {
                drop();
            }
            judge(call, answer, budget, started, ended);
            return true;
        } catch (IOException | RuntimeException e) {
            long ended = System.nanoTime();
            drop();
            failed(call, e instanceof IOException io ? io : new java.net.ProtocolException("unreadable answer: " + e),
                    budget, started, ended);
            return false;
        }
    }

    private void judge(Call call, SoakConnection.Answer answer, long budget, long started, long ended) {
        String decision = answer.header("Mistguard-Decision");
        Invariants inv = ctx.invariants();
        checkWait(call, budget, started, ended, answer.status() + " " + decision);
        inv.check(Invariants.DECISION, decision != null,
                () -> kind + " " + call.method() + " " + call.path() + " answered " + answer.status()
                        + " without Mistguard-Decision");
        if (kind.remote) {
            checkTrust(call, answer, decision);
        }
        if (kind.logsIn) {
            Matcher m = CHALLENGE.matcher(answer.body());
            challenge = m.find() && !call.login() ? m.group(1) : null;
        }
        if (!call.invalidations().isEmpty() && !kind.remote && "queued".equals(decision)) {
            ctx.ledger().accepted(call.invalidations(), started);
        }
        if (answer.status() / 100 == 2 && servedByUpstream(decision)) {
            ctx.tally().add(served(kind, call.login() ? LOGIN_ROUTE : call.route()));
        }
        String what = call.login() ? "login" : kind.name();
        ctx.tally().add("requests/" + what);
        ctx.tally().add("decisions/" + call.route() + " " + answer.status() + " " + shortDecision(decision));
    }

    /** No remote caller sees Mist's local trust, a login it did not make, or an answer meant for another. */
    private void checkTrust(Call call, SoakConnection.Answer answer, String decision) {
        String body = answer.body();
        boolean local = body.contains("\"local\":true");
        boolean letIn = !kind.logsIn && body.contains("\"status\":\"OK\"");
        boolean shared = decision != null && (decision.startsWith("stale") || decision.startsWith("coalesced")
                || decision.startsWith("cached"));
        ctx.invariants().check(Invariants.TRUST, !local && !letIn && !shared,
                () -> kind + " " + call.path() + " " + call.body() + " answered " + answer.status() + " " + decision
                        + (local ? " as local" : "") + (letIn ? " as logged in" : "") + (shared ? " a shared answer" : "")
                        + ": " + abbreviate(body));
    }

    /** Within budget + epsilon passes now; a later wait is judged at the end, against the JVMs' stalls. */
    private void checkWait(Call call, long budget, long started, long ended, String outcome) {
        long waited = ended - started;
        long allowed = (budget + ctx.epsilonMillis()) * 1_000_000;
        Supplier<String> detail = () -> String.format("%s %s %s waited %d ms for %s; budget %d ms + epsilon %d ms",
                kind, call.method(), call.path(), waited / 1_000_000, outcome, budget, ctx.epsilonMillis());
        if (ctx.restarts().overlapsStart(started, ended)) {
            // A process not yet ready, still loading and compiling: reported, not held to the budget.
            ctx.tally().add("answered-while-starting/" + call.route());
            ctx.tally().max("past-budget-while-starting/" + call.route(), waited / 1_000_000 - budget);
            return;
        }
        ctx.tally().max("past-budget/" + call.route(), waited / 1_000_000 - budget);
        if (waited <= allowed) {
            ctx.invariants().check(Invariants.BUDGET, true, detail);
            return;
        }
        String chaos = ctx.invariants().context();
        String thread = Thread.currentThread().getName();
        String comm = thread.length() > 15 ? thread.substring(0, 15) : thread; // as the kernel names it
        if (!ctx.late().add(new LateAnswers.Late(started, ended, allowed, call.route(), detail.get(), chaos, comm))) {
            ctx.invariants().checkAt(Invariants.BUDGET, false, started, chaos, detail);
        }
    }

    private void failed(Call call, IOException e, long budget, long started, long ended) {
        if (e instanceof SocketTimeoutException) {
            checkWait(call, budget, started, ended, "no answer");
            return;
        }
        if (ctx.restarts().overlaps(started, ended)) {
            ctx.tally().add("no-answer-during-restart/" + kind);
            return;
        }
        ctx.invariants().check(Invariants.ANSWERED, false,
                () -> kind + " " + call.method() + " " + call.path() + " got no answer after "
                        + (ended - started) / 1_000_000 + " ms: " + e);
    }

    private Call login(String challenge) {
        String password = md5(md5("test") + challenge);
        return Call.form("/api2", "{\"authorize\":{\"username\":\"test\",\"password\":\"" + password + "\"}}",
                "catch-all").asLogin();
    }

    private void drop() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /** The tally key of {@code kind}'s 2xx answers on {@code route} that came from Mist (or catalyst-api). */
    static String served(Traffic kind, String route) {
        return "served/" + kind + " " + route;
    }

    /** The route a login is counted under in {@link #served}. */
    static final String LOGIN_ROUTE = "login";

    /** An answer that came from upstream, now or (cached, coalesced) for this request; not mistguard's own. */
    private static boolean servedByUpstream(String decision) {
        return decision != null && (decision.equals("proxied") || decision.equals("coalesced")
                || decision.equals("cached") || decision.equals("queued"));
    }

    private static String shortDecision(String decision) {
        return decision == null ? "(none)" : decision;
    }

    private static String abbreviate(String body) {
        String flat = body.replaceAll("\\s+", " ");
        return flat.length() <= 200 ? flat : flat.substring(0, 200) + "…";
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
