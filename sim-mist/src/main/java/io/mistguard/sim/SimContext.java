package io.mistguard.sim;

/**
 * The shared parts of one running sim-mist that its handlers need. Every component is thread-safe
 * or confined to the command thread.
 */
record SimContext(SimState state, Faults faults, Recording recording, CommandLock lock, CommandExecutor executor,
                  TriggerSender triggers) {
}
