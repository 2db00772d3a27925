package io.mistguard.sim.api;

import io.mistguard.sim.fault.Faults;
import io.mistguard.sim.record.Recording;
import io.mistguard.sim.trigger.TriggerSender;

/**
 * The shared parts of one running sim-mist that the API port's handlers need. Every component is
 * thread-safe or confined to the command thread. Built by {@link MistApi}; package-private so the
 * lock and the executor never leave this package.
 */
record SimContext(SimState state, Faults faults, Recording recording, CommandLock lock, CommandExecutor executor,
                  TriggerSender triggers) {
}
