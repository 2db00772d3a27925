package io.mistguard.proxy.net;

import io.netty.handler.codec.http.HttpRequest;

/**
 * A request's target in the form Mist and mistguard both read: origin-form ({@code /path?query}).
 *
 * <p>RFC 9112 §3.2.2: a server MUST accept the absolute-form ({@code http://host:port/path?query}),
 * and then MUST ignore the {@code Host} field and use the target's authority. Routes, the command
 * classifier and Mist's own parser all read a path, so an absolute-form target is rewritten to
 * origin-form, with its authority as {@code Host}, before anything reads the request. Whatever
 * authority it names, the request goes to Mist like any other: it never reaches the admin listener or
 * another host. Other forms (authority-form, asterisk-form) stay refused ({@code InvalidRequest}). Used by every listener that
 * forwards: the proxy's port (to Mist) and the trigger listener (to catalyst-api).
 * Stateless.
 */
public final class RequestTarget {

    private RequestTarget() {
    }

    /** Whether {@code uri} is absolute-form with an http or https scheme. */
    public static boolean isAbsolute(String uri) {
        // On every request: compares in place, allocates nothing.
        return uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "https://", 0, 8);
    }

    /**
     * Whether an absolute-form {@code uri}'s authority (userinfo removed) is one {@code Host} can carry:
     * a non-empty host, and {@code host[:port]} by the same rule a received {@code Host} is held to
     * ({@link HostField}), so that Mist never gets a {@code Host} from a target that mistguard would
     * refuse in the field.
     */
    public static boolean hasValidAuthority(String uri) {
        String authority = authority(uri);
        // An http(s) URI with an empty host (http:///x, http://:80/x) MUST be rejected
        // (RFC 9110 §4.2.1), not left to the caller's own Host.
        return !authority.isEmpty() && authority.charAt(0) != ':' && HostField.isValid(authority);
    }

    /** The authority of an absolute-form {@code uri}, which has no userinfo (refused before). */
    private static String authority(String uri) {
        return uri.substring(uri.indexOf("//") + 2, pathStart(uri));
    }

    private static int pathStart(String uri) {
        int pathStart = uri.indexOf("//") + 2;
        while (pathStart < uri.length() && "/?#".indexOf(uri.charAt(pathStart)) < 0) {
            pathStart++;
        }
        return pathStart;
    }

    /**
     * Rewrites an absolute-form target of {@code request} to origin-form and sets {@code Host} to its
     * authority; leaves any other request as it is. The target must have passed
     * {@link TargetSyntax} and its authority {@link #hasValidAuthority}, as
     * {@code InvalidRequest} checks first.
     */
    public static void toOriginForm(HttpRequest request) {
        String uri = request.uri();
        if (!isAbsolute(uri)) {
            return;
        }
        String authority = authority(uri);
        String rest = uri.substring(pathStart(uri)); // no fragment: TargetSyntax refused it
        request.setUri(rest.isEmpty() || rest.charAt(0) != '/' ? "/" + rest : rest);
        request.headers().set("Host", authority); // spelled as clients spell it: Mist gets what a client sends
    }
}
