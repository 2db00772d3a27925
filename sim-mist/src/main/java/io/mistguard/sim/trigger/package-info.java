/**
 * Mist's triggers as sim-mist sends them (mist-api.md §5): {@link io.mistguard.sim.trigger.TriggerSender}
 * posts them with Mist's headers, retries and default answer, and records a
 * {@link io.mistguard.sim.trigger.TriggerOutcome} for each. Depends on no other sim-mist package.
 */
package io.mistguard.sim.trigger;
