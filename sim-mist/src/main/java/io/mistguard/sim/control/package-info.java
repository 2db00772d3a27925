/**
 * The control port: an HTTP/JSON API on its own listener to add and clear faults, read and clear
 * the recording, and send triggers by hand.
 *
 * <p>{@link io.mistguard.sim.control.ControlChannelInitializer} is its pipeline, the one public
 * type; it drives the {@code fault}, {@code record} and {@code trigger} packages through their
 * public API only, and writes its JSON with the {@code api} package's shared mapper.
 */
package io.mistguard.sim.control;
