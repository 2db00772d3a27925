/**
 * Logging plumbing of mistguard's own: the appender that takes access-log lines off the event
 * loops without waking a thread per line ({@link io.mistguard.proxy.logging.BatchingAppender}).
 * Imports nothing of mistguard.
 */
package io.mistguard.proxy.logging;
