/**
 * The trigger direction (design.md, "The trigger direction"; mist-api.md §5, §6): a second listener
 * that Mist's trigger URLs point at, in front of catalyst-api's {@code /api/mist/trigger}.
 *
 * <p>Mist waits 5 s per attempt for a blocking trigger's answer, up to 5 attempts, then uses the
 * trigger's default ({@code true} when none is configured): a slow catalyst-api makes each viewer
 * wait about 25 s and silently lets everyone in. Here every blocking trigger is answered within its
 * own timeout, with catalyst-api's answer relayed byte for byte, or with the trigger's fallback as a
 * {@code 200} (the only status whose body Mist reads). Non-blocking triggers are answered at once and
 * delivered by a bounded queue.
 *
 * <p>{@link io.mistguard.proxy.trigger.TriggerServer} binds the listener;
 * {@link io.mistguard.proxy.trigger.TriggerService} holds what its requests share — the breaker and
 * admission pool on catalyst-api ({@code policy/}), the last-known answers, the delivery queue and
 * the observer the meters ({@link io.mistguard.proxy.trigger.TriggerMeters}) listen through. Upstream
 * calls go through {@code upstream/}'s client via {@code policy.UpstreamAttempts}; every answer is a
 * typed {@code exchange.Answer}, whose {@code Mistguard-*} fields the listener writes at its edge.
 */
package io.mistguard.proxy.trigger;
