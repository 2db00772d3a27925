/**
 * Mist's HTTP API as sim-mist emulates it (mist-api.md): the API port's pipeline, request parsing,
 * Mist's framing and keep-alive quirks, per-connection auth and trust, the commands under Mist's
 * global lock, the replies (JSON, the web UI page, the raw 403), Prometheus, the {@code /ws} live
 * view, and {@link io.mistguard.sim.api.SimState}, the state all of them serve.
 *
 * <p>{@link io.mistguard.sim.api.MistApi} is the one way in for the wiring: it builds the command
 * lock, executor and pipeline, which stay package-private. The handlers apply the
 * {@code fault} package's rules on the wire, record into {@code record} and fire triggers through
 * {@code trigger}; {@link io.mistguard.sim.api.MistRequest}, the decoded request, is public because
 * faults match it and the recording records it.
 */
package io.mistguard.sim.api;
