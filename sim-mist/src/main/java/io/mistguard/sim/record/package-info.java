/**
 * What a sim-mist received on its API port: {@link io.mistguard.sim.record.Recording} keeps each
 * {@link io.mistguard.sim.record.RecordedRequest} and counts commands, concurrency, connections,
 * pipelined requests and WebSocket sessions, for tests to assert on.
 *
 * <p>The API port's handlers write it (its write side is public for them) from the {@code api}
 * package's {@code MistRequest}; tests and the control port read it.
 */
package io.mistguard.sim.record;
