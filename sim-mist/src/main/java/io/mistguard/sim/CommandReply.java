package io.mistguard.sim;

/**
 * What the command thread hands back to the event loop for one API request.
 *
 * @param body the full reply body (JSON + "\n\n")
 * @param unauthorised true when Mist would sleep 1 s before answering
 * @param closeAfter true when Mist closes the connection after this reply
 */
record CommandReply(byte[] body, boolean unauthorised, boolean closeAfter) {
}
