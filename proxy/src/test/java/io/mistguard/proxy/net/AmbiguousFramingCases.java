package io.mistguard.proxy.net;

import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Request heads every listener of mistguard must refuse rather than read its own way, with the status
 * and a fragment of the reason each gets: a request line whose version is misspelt or of another major
 * version (RFC 9112 §2.3, RFC 9110 §15.6.6), a request framed by both {@code Content-Length} and
 * {@code Transfer-Encoding} (RFC 9112 §6.1), and continuation lines (obs-fold, RFC 9112 §5.2) or a
 * line that starts with whitespace after the request line (RFC 9112 §2.2), and a chunk line over
 * the limit (400, not the request line's 414). Each case is the head of a
 * request that the listener under test would otherwise answer, {@code %s} standing for its method and
 * target (for example {@code GET /healthz}). Shared by the proxy, admin and trigger listeners' tests.
 */
public final class AmbiguousFramingCases {

    private AmbiguousFramingCases() {
    }

    /** {@code (name, raw request with %s for "METHOD /target", status line, reason fragment)}. */
    public static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("a version in lower case", "%s http/1.1\r\nHost: x\r\n\r\n",
                        "400 Bad Request", "is not HTTP/<digit>.<digit>"),
                Arguments.of("no version (HTTP/0.9's simple request)", "%s\r\n\r\n",
                        "400 Bad Request", "the request line has no HTTP version"),
                Arguments.of("a version of two digits", "%s HTTP/1.10\r\nHost: x\r\n\r\n",
                        "400 Bad Request", "is not HTTP/<digit>.<digit>"),
                Arguments.of("another major version", "%s HTTP/2.0\r\nHost: x\r\n\r\n",
                        "505 HTTP Version Not Supported", "HTTP/2.0 is not served here"),
                Arguments.of("content-length with chunked",
                        "%s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        "400 Bad Request", "both Transfer-Encoding and Content-Length"),
                Arguments.of("obs-fold continuation line",
                        "%s HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n", "400 Bad Request", "obs-fold"),
                Arguments.of("a header line starting with whitespace",
                        "%s HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: x\r\n\r\n0\r\n\r\n",
                        "400 Bad Request", "obs-fold"),
                // Found by the fresh review: Netty reads a chunk line with the request line's limit and
                // reports it with the same exception, so this was answered 414 "URI Too Long".
                Arguments.of("a chunk line over the limit",
                        "%s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;ext=" + "a".repeat(20_000)
                        + "\r\nx\r\n0\r\n\r\n", "400 Bad Request", "a chunk line is longer than"),
                Arguments.of("obs-fold after leading empty lines",
                        "\r\n\r\n%s HTTP/1.1\r\nHost: x\r\nX-A: b\r\n\tc\r\n\r\n", "400 Bad Request", "obs-fold"));
    }
}
