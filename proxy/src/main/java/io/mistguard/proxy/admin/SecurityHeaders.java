package io.mistguard.proxy.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The header fields every admin answer carries, the status page's above all, so that the admin
 * listener adds no attack surface (issue 16):
 * <ul>
 *   <li>{@code Content-Security-Policy}: scripts, styles and requests only from the listener itself,
 *   no inline script or style, no plugins, frames, forms, base or foreign images; DOM sinks that take
 *   strings as script or markup ({@code innerHTML}, …) refused by Trusted Types, so view data can only
 *   ever become text;</li>
 *   <li>{@code X-Frame-Options: DENY} (and {@code frame-ancestors 'none'}): no page can frame the
 *   admin page and trick a click on its buttons;</li>
 *   <li>{@code X-Content-Type-Options: nosniff}: a JSON view is never taken for a script or a page;</li>
 *   <li>{@code Cache-Control: no-store}: neither the views nor the page are kept by a browser or a
 *   proxy, so a new jar's page is always the one served and no data outlives the tab;</li>
 *   <li>{@code Referrer-Policy: no-referrer}.</li>
 * </ul>
 * Cross-origin requests are refused separately ({@link CrossOrigin}). Stateless.
 */
final class SecurityHeaders {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
            + "form-action 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

    private SecurityHeaders() {
    }

    static void apply(HttpHeaders headers) {
        headers.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
               .set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY")
               .set("x-content-type-options", "nosniff")
               .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
               .set("referrer-policy", "no-referrer");
    }
}
