package io.mistguard.proxy.classify;

/** Where in an HTTP request a Mist command was found (mist-api.md §1). */
public enum CommandEncoding {
    /** {@code command=<url-encoded JSON>} in an {@code application/x-www-form-urlencoded} body. */
    FORM_BODY,
    /** A raw JSON body sent with {@code Content-Type: application/json}. */
    JSON_BODY,
    /** {@code ?command=<url-encoded JSON>} in the query string. */
    QUERY,
    /** No command at all: Prometheus paths, the web UI, static files. */
    NONE
}
