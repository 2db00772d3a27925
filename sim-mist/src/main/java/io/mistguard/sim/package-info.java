/**
 * sim-mist, a simulated MistServer API for tests, demos and benchmarks: its entry points and the
 * wiring of its parts.
 *
 * <p>{@link io.mistguard.sim.SimMist} is one running sim-mist and
 * {@link io.mistguard.sim.SimMistBuilder} starts one, from its settings and a scenario file (read by
 * {@code Scenario}); {@link io.mistguard.sim.SimMistMain} is the runnable jar's command line. The
 * work is done in the subpackages, none of which imports this one (only {@code junit}, the JUnit
 * extension over {@code SimMist}, does): {@code api} emulates Mist's HTTP API, {@code fault} holds
 * the fault rules, {@code record} what the API port received, {@code trigger} the trigger sender,
 * and {@code control} serves the control port over the three of them.
 */
package io.mistguard.sim;
