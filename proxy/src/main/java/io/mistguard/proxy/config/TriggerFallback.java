package io.mistguard.proxy.config;

import static io.mistguard.proxy.config.Quotes.quote;

import java.util.Locale;

/**
 * What the trigger listener answers Mist for a blocking trigger when catalyst-api fails (timeout,
 * refused, reset, non-200, malformed answer, breaker open, overload). Mist ignores the body of a
 * non-200 and treats it as a failed attempt (mist-api.md §5), so every fallback is sent as a
 * {@code 200} with the body below.
 *
 * <ul>
 *   <li>{@link #ALLOW} — {@code true}: the viewer or push goes ahead. <b>Fails open.</b> It is what
 *       Mist itself ends up doing after 5 × 5 s when no default is configured, without the wait.</li>
 *   <li>{@link #DENY} — {@code false}: Mist reads a boolean answer as true only when it starts with
 *       {@code 1}, {@code yes}, {@code true} or {@code cont}. <b>Fails closed.</b></li>
 *   <li>{@link #EMPTY} — an empty body: for {@code STREAM_SOURCE} "keep the configured source", for
 *       {@code PUSH_REWRITE} and {@code PUSH_OUT_START} "reject"; for a boolean trigger it denies.</li>
 *   <li>{@link #LAST_KNOWN} — catalyst-api's last 200 answer for the same key (see
 *       {@code TriggerPolicy#keyLines}) if it is at most {@code max_age} old; otherwise the
 *       policy's {@code otherwise} fallback.</li>
 * </ul>
 * Immutable.
 */
public enum TriggerFallback {
    ALLOW("allow", "true"),
    DENY("deny", "false"),
    EMPTY("empty", ""),
    LAST_KNOWN("last-known", null);

    /** What an {@code otherwise:} or {@code fallback:} value may be, for "(expected: …)" texts. */
    public static final String EXPECTED = "allow, deny, empty or last-known";

    private final String configName;
    private final String body;

    TriggerFallback(String configName, String body) {
        this.configName = configName;
        this.body = body;
    }

    /** The name in the config file. */
    public String configName() {
        return configName;
    }

    /**
     * The body Mist gets; {@code null} for {@link #LAST_KNOWN}, which answers a stored body or its
     * {@code otherwise}.
     */
    public String body() {
        return body;
    }

    /** Parses a config name such as {@code last-known}. */
    public static TriggerFallback parse(String text) {
        for (TriggerFallback f : values()) {
            if (f.configName.equals(text.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException(quote(text) + " is not a trigger fallback (expected: " + EXPECTED + ')');
    }
}
