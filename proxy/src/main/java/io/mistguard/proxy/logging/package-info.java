/**
 * Logging plumbing of mistguard's own: the default Logback configuration, set up in code
 * ({@link io.mistguard.proxy.logging.DefaultLogging}), and the appender that takes access-log lines
 * off the event loops without waking a thread per line
 * ({@link io.mistguard.proxy.logging.BatchingAppender}). Imports nothing of mistguard.
 */
package io.mistguard.proxy.logging;
