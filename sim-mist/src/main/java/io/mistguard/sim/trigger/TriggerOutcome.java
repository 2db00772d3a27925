package io.mistguard.sim.trigger;

import java.time.Duration;
import java.util.List;

/**
 * What became of one trigger Mist sent: every attempt's result, the answer Mist acted on and how long
 * it took from the first attempt to the decision.
 *
 * @param triggerUuid the {@code X-Trigger-UUID}, the same on every attempt
 * @param attemptResults per attempt: the HTTP status ("200", "500"), "timeout" or "error: …"
 * @param response the answer Mist used: the 200 body, or the default {@code true} after all attempts failed
 * @param usedDefault true when no attempt succeeded and Mist fell back to its default
 */
public record TriggerOutcome(String trigger, String triggerUuid, List<String> payload, boolean blocking,
                             List<String> attemptResults, String response, boolean usedDefault,
                             Duration latency) {

    /** The answer read as Mist reads a boolean trigger answer. */
    public boolean allowed() {
        return TriggerSender.parseBoolean(response);
    }

    public int attempts() {
        return attemptResults.size();
    }
}
