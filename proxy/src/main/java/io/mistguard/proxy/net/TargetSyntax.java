package io.mistguard.proxy.net;

/**
 * Whether a request line's target is a request-target at all, on every listener that forwards what
 * it reads (the proxy's to Mist, the trigger listener's to catalyst-api). Found by review: a target
 * with a fragment ({@code /x#frag}) or a control character ({@code DEL}) was forwarded byte for byte,
 * one with userinfo ({@code http://a@b/x}) was forwarded with the userinfo dropped, and bytes over
 * 0x7F reached Mist encoded twice (the decoder reads the line as ISO-8859-1, the encoder writes it as
 * UTF-8: {@code é} became {@code Ã©}, another stream name). RFC 9112 §3.2: origin-form is an absolute
 * path and a query, absolute-form an absolute URI, and neither has a fragment; RFC 3986 §2: a URI is
 * ASCII, with no control character or space, and anything else percent-encoded; RFC 9110 §4.2.4: a
 * recipient should treat userinfo in an http(s) URI as an error (it hides the authority). The
 * ASCII characters RFC 3986 would have escaped, {@code "{}<>|\^`}, pass, as Mist reads them and its
 * callers send them ({@code ?command={...}}). Stateless; allocates nothing.
 */
public final class TargetSyntax {

    private TargetSyntax() {
    }

    /**
     * What makes {@code uri} no request-target, or null: its characters, userinfo in an http(s)
     * absolute-form target, then its form — neither origin-form ({@code /path?query}) nor http(s)
     * absolute-form ({@code *}, authority-form, another scheme). The proxy listener rewrites an
     * absolute-form target to origin-form afterwards; the trigger listener forwards the target as it
     * came (found by review: {@code *} and {@code ws://u@h/x} reached catalyst-api).
     */
    public static String problem(String uri) {
        int authorityEnd = authorityEnd(uri);
        String problem = charactersOrUserinfo(uri, authorityEnd);
        if (problem == null && authorityEnd < 0 && !uri.startsWith("/")) {
            return "the request target is neither origin-form (/path?query) nor absolute-form (http://host/path)";
        }
        return problem;
    }

    /**
     * @param authorityEnd for an absolute-form target, the index where its authority ends (its path,
     *        query or end); -1 for any other form
     */
    private static String charactersOrUserinfo(String uri, int authorityEnd) {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '#') {
                return "the request target has a fragment (#), which no request target may carry (RFC 9112 §3.2)";
            }
            if (c <= ' ' || c == 0x7f) {
                return "the request target holds a control character or a space (RFC 3986 §2)";
            }
            if (c > 0x7f) {
                return "the request target holds a byte over 0x7F, which a URI must percent-encode (RFC 3986 §2.1)";
            }
        }
        if (authorityEnd >= 0 && uri.lastIndexOf('@', authorityEnd - 1) >= uri.indexOf("//") + 2) {
            return "the request target's authority has userinfo (user@), taken as an error (RFC 9110 §4.2.4)";
        }
        return null;
    }

    /** Where an absolute-form (http or https) target's authority ends; -1 for any other form. */
    private static int authorityEnd(String uri) {
        if (!uri.regionMatches(true, 0, "http://", 0, 7) && !uri.regionMatches(true, 0, "https://", 0, 8)) {
            return -1;
        }
        int end = uri.indexOf("//") + 2;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        return end;
    }
}
