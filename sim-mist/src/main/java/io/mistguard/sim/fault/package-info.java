/**
 * Fault injection's rules: {@link io.mistguard.sim.fault.FaultRule} (what a rule matches, what it
 * does, how often), {@link io.mistguard.sim.fault.FaultAction}, the table of active rules
 * {@link io.mistguard.sim.fault.Faults}, and {@link io.mistguard.sim.fault.FaultSpecs}, the plain-map
 * form used by scenario files and the control port. Chaos mode plays random rules over time:
 * {@link io.mistguard.sim.fault.ChaosSchedule} (the seeded plan), {@link io.mistguard.sim.fault.ChaosRunner}
 * (its thread) and {@link io.mistguard.sim.fault.Chaos} (at most one runner per sim-mist).
 *
 * <p>This package decides which fault a request gets; the {@code api} package carries it out on the
 * wire. Its only outside type is the {@code api} package's {@code MistRequest}, which rules match.
 */
package io.mistguard.sim.fault;
