package io.mistguard.proxy.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The status page the admin listener serves at {@code /} (issue 16): one HTML file, its script and
 * its style sheet under {@code /assets/}, shipped in the jar, with no build step and nothing from
 * elsewhere. They are read from the jar once, when the admin listener is built, and served from
 * memory, so the event loop never reads a file. The page holds no data: it reads the admin JSON
 * views every second with the operator's token, so it is served without one. Immutable; thread-safe.
 */
final class StatusPage {

    /** The prefix of the page's own files; any other path under it is not found. */
    static final String ASSETS = "/assets/";
    private static final String SOURCE = "/io/mistguard/proxy/admin/status/";

    /**
     * One file of the page.
     *
     * @param body its bytes, shared by every answer: never written to
     * @param contentType its media type
     */
    record Asset(byte[] body, String contentType) {
    }

    private final Map<String, Asset> byPath;

    private StatusPage(Map<String, Asset> byPath) {
        this.byPath = byPath;
    }

    /**
     * Reads the page's files from the class path; call it off the event loop.
     *
     * @throws IllegalStateException when a file is missing from the jar (a broken build)
     */
    static StatusPage load() {
        return new StatusPage(Map.of(
                "/", read("index.html", "text/html; charset=utf-8"),
                ASSETS + "status.js", read("status.js", "text/javascript; charset=utf-8"),
                ASSETS + "status.css", read("status.css", "text/css; charset=utf-8")));
    }

    /** Whether {@code path} belongs to the page: {@code /} or anything under {@link #ASSETS}. */
    static boolean owns(String path) {
        return path.equals("/") || path.startsWith(ASSETS);
    }

    /** The file at {@code path}; {@code null} for a path of the page's that holds none. */
    Asset asset(String path) {
        return byPath.get(path);
    }

    private static Asset read(String name, String contentType) {
        try (InputStream in = StatusPage.class.getResourceAsStream(SOURCE + name)) {
            if (in == null) {
                throw new IllegalStateException("the status page's " + SOURCE + name + " is not in the jar");
            }
            return new Asset(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
