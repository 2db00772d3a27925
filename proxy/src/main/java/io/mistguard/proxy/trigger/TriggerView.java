package io.mistguard.proxy.trigger;

import io.mistguard.proxy.config.TriggerPolicy;
import io.mistguard.proxy.config.TriggersConfig;
import io.mistguard.proxy.policy.AdmissionSnapshot;
import io.mistguard.proxy.policy.BreakerSnapshot;
import java.util.SortedMap;

/**
 * The trigger listener at one instant, for {@code /admin/routes}: its config, the policy of each
 * trigger name, and the state of the breaker, admission pool, delivery queue and last-known store
 * they share. Immutable (the snapshots are copies).
 *
 * @param lastKnownEntries answers stored for {@code last-known} fallbacks
 * @param lastKnownBytes   the bytes they count against {@code last_known_max_bytes}
 */
public record TriggerView(TriggersConfig config, SortedMap<String, TriggerPolicy> policies, BreakerSnapshot breaker,
                          AdmissionSnapshot admission, DeliveryStats delivery, int lastKnownEntries,
                          long lastKnownBytes) {
}
