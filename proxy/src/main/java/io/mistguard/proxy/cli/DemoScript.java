package io.mistguard.proxy.cli;

import io.mistguard.proxy.config.BreakerConfig;
import io.mistguard.proxy.config.Durations;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.RouteConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The guided walk-through {@code --demo} prints: numbered steps of shell lines to paste, each with
 * what the person will see. The figures (budgets, stale window, breaker settings) come from the
 * config in force, so the text cannot promise what the proxy does not do; {@code DemoScriptIT} runs
 * every step's lines with bash against a live demo and checks each "you see" line. Immutable.
 *
 * @param setup the shell variables every step uses
 * @param steps in order
 */
record DemoScript(List<String> setup, List<Step> steps) {

    static final String GET_STATE = "{\"active_streams\":[\"source\"],\"stats_streams\":[\"clients\",\"lastms\"],"
            + "\"push_list\":true,\"push_auto_list\":true}";

    /**
     * One step.
     *
     * @param title what the step does and why
     * @param lines the shell lines to paste
     * @param expect lines of the output the person sees (each one appears verbatim in it)
     * @param note what to make of it
     */
    record Step(String title, List<String> lines, List<String> expect, String note) {}

    /** The script for a demo whose listeners and fault control are at these URLs. */
    static DemoScript of(ProxyConfig config, String proxy, String admin, String control) {
        RouteConfig getState = config.policy().route("get-state");
        String budget = Durations.format(getState.timeout());
        String maxAge = Durations.format(getState.staleMaxAge());
        BreakerConfig breaker = config.policy().breakers().get(getState.breaker());
        String open = Durations.format(breaker.openDuration());
        List<String> setup = List.of("P=" + proxy + " A=" + admin + " C=" + control,
                "GS='command=" + GET_STATE + "'");
        List<Step> steps = new ArrayList<>();
        steps.add(new Step("Catalyst's GetState through mistguard: Mist answers, its bytes pass unchanged.",
                List.of("curl -si $P/api2 --data-urlencode \"$GS\" | grep -E '^(HTTP|Mistguard)'"),
                List.of("HTTP/1.1 200 OK", "Mistguard-Decision: proxied", "Mistguard-Route: get-state"),
                "mistguard keeps this answer as GetState's last good one."));
        steps.add(new Step("Make Mist hang on every request, as it did in the September 2024 incident.",
                List.of("curl -s -XPOST $C/faults -d '{\"action\":\"hang\"}'"),
                List.of("{\"added\":1}"),
                "Paste step 3 right after this one: within " + maxAge + " of step 1."));
        steps.add(new Step("GetState again. Mist does not answer; mistguard does, at GetState's budget (" + budget
                        + ", before catalyst's load balancer gives up at 4.5s), with Mist's last good answer:",
                List.of("curl -si $P/api2 --data-urlencode \"$GS\" | grep -iE '^(HTTP|Age|Cache-Status|Mistguard)'"),
                List.of("HTTP/1.1 200 OK", "Age: ", "Cache-Status: mistguard; fwd=stale; detail=timeout",
                        "Mistguard-Decision: stale; reason=timeout"),
                "This is the point: the caller gets a valid answer, " + "Age seconds old (the Age line), with Mist's "
                        + "own \"authorize\":{\"status\":\"OK\"} that catalyst-api accepts, instead of hanging. "
                        + "More than " + maxAge + " after step 1 the answer is too old to serve, and you get "
                        + "504 with Mistguard-Decision: rejected; reason=timeout instead."));
        steps.add(new Step("Mist keeps failing, so the mist breaker opens (" + breaker.failureRate() + "% of at least "
                        + breaker.minimumCalls() + " calls failed). Three different reads at once, then look:",
                List.of("curl -s -o /dev/null $P/koekjes & curl -s -o /dev/null $P/koekjes.json & "
                                + "curl -s -o /dev/null $P/api2 --data-urlencode \"$GS\"; wait",
                        "curl -s $A/admin/breakers | grep -E '\"(state|failure_rate)\"'"),
                List.of("\"state\" : \"open\""),
                "While it is open, mistguard answers at once without asking Mist: reason=breaker-open (stale, or "
                        + "503 once the stored answer is older than " + maxAge + ")."));
        steps.add(new Step("Mist recovers. After " + open + " open, the next call is a trial; it succeeds and "
                        + "the breaker closes:",
                List.of("curl -s -XDELETE $C/faults; sleep " + Math.max(1, breaker.openDuration().toSeconds()),
                        "curl -si $P/api2 --data-urlencode \"$GS\" | grep Mistguard-Decision",
                        "curl -s $A/admin/breakers | grep '\"state\"'"),
                List.of("Mistguard-Decision: proxied", "\"state\" : \"closed\""),
                null));
        steps.add(new Step("Invalidate a stream's sessions: answered at once (even while Mist hangs), delivered "
                        + "by mistguard's own queue:",
                List.of("curl -si $P/ --data-urlencode 'command={\"invalidate_sessions\":\"video+stream0\"}' "
                                + "| grep -E '^(HTTP|Mistguard-Decision)'",
                        "sleep 1; curl -s $A/admin/invalidations | grep -E '\"(depth|sent)\"'"),
                List.of("HTTP/1.1 200 OK", "Mistguard-Decision: queued", "\"sent\" : 1"),
                "mistguard's own log shows the delivery: INFO ... invalidate_sessions delivered for 1 stream(s) "
                        + "in one call."));
        steps.add(new Step("The metrics that tell this story (also in deploy/grafana and deploy/prometheus):",
                List.of("curl -s $A/metrics | grep -E '^mistguard_(decisions_total|breaker_state|"
                        + "stale_answers_total|invalidations_sent_total)' | grep -v ' 0.0$'"),
                List.of("mistguard_decisions_total{reason=\"stale\",route=\"get-state\"}",
                        "mistguard_stale_answers_total{route=\"get-state\"}",
                        "mistguard_invalidations_sent_total"),
                "decisions by reason (proxied, stale, breaker-open, timeout, ...), breaker state (0 closed, "
                        + "1 open, 2 half-open), stale answers served, invalidations delivered."));
        return new DemoScript(setup, steps);
    }

    /** The text printed to the terminal. */
    List<String> render() {
        List<String> out = new ArrayList<>();
        out.add("Paste each step into another terminal, in order. First, the addresses:");
        out.add("");
        setup.forEach(line -> out.add("  " + line));
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            out.add("");
            out.add((i + 1) + ". " + step.title());
            step.lines().forEach(line -> out.add("  " + line));
            out.add("   You see:");
            step.expect().forEach(line -> out.add("     " + line));
            if (step.note() != null) {
                out.add("   " + step.note());
            }
        }
        return out;
    }
}
