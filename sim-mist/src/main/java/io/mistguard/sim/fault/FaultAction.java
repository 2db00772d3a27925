package io.mistguard.sim.fault;

/** What a matching {@link FaultRule} does to a request. */
public enum FaultAction {
    /** Matches (and counts) but changes nothing. */
    NONE,
    /** Holds the global lock for a fixed or uniformly random time before executing, like a slow Mist. */
    DELAY,
    /** Reads and records the request, never answers. */
    HANG,
    /** Like {@link #HANG}, and also holds the global lock until the connection closes or rules are cleared. */
    HANG_HOLDING_LOCK,
    /** Executes normally, then waits before the first response byte (not holding the lock). */
    SLOW_FIRST_BYTE,
    /** Sends the body in small chunks at an interval. */
    DRIBBLE,
    /** Sends the headers and half of the body, then resets the connection (RST). */
    RESET_MID_RESPONSE,
    /** Closes the connection without answering and without executing. */
    CLOSE_WITHOUT_RESPONSE,
    /** Answers an HTTP status (e.g. 503) with a short text body, without executing. */
    STATUS,
    /** Executes, then answers 200 with a body that is not valid JSON. */
    MALFORMED_JSON,
    /** Executes, then sends half the announced body and closes. */
    TRUNCATED,
    /** Executes, then pads the reply with a valid JSON field to the given size. */
    HUGE_BODY,
    /**
     * Executes, sends the whole reply with its {@code Content-Length} and without
     * {@code Connection: close}, then closes the connection: a keep-alive connection that dies
     * between requests, which a client only learns about when it reuses it.
     */
    CLOSE_AFTER_REPLY,
    /**
     * Executes, then answers with bytes that are not HTTP at all (no status line, control bytes),
     * and keeps the connection open: a client must give up on that connection by itself.
     */
    GARBAGE
}
