package io.mistguard.proxy.classify;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * What a request to Mist's API asks for, as far as routing and policy care: the method, the path
 * (without query) and the set of top-level keys of the Mist command it carries.
 *
 * <p>{@code command} is the command's JSON text exactly as decoded from the request (no
 * re-serialisation), or {@code null} when there is none. {@code parsable} is false when a command
 * parameter was present but is not a JSON object; such requests are still forwarded, because Mist
 * answers them with its web UI (mist-api.md §1).
 *
 * <p>{@code unreadable} says why mistguard cannot read the command exactly as Mist would (invalid
 * percent-encoding, bytes that are not UTF-8, JSON nested deeper than {@link
 * CommandClassifier#MAX_NESTING_DEPTH}), or is {@code null}. Such a request must be refused, not
 * forwarded: its route, trust and cache key would rest on a guess.
 */
public record MistRequest(String method, String path, Set<String> commandKeys, CommandEncoding encoding,
                          String command, boolean parsable, String unreadable) {

    public MistRequest {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        commandKeys = Set.copyOf(requireNonNull(commandKeys, "commandKeys"));
        requireNonNull(encoding, "encoding");
    }

    /** A request whose command, if any, mistguard reads as Mist does. */
    public MistRequest(String method, String path, Set<String> commandKeys, CommandEncoding encoding,
                       String command, boolean parsable) {
        this(method, path, commandKeys, encoding, command, parsable, null);
    }

    /** True when the request carries a command that parsed as a JSON object. */
    public boolean hasCommand() {
        return parsable && command != null;
    }

    /**
     * True on a path where Mist answers a command with its API reply whatever its configuration:
     * {@code /}, {@code /api}, {@code /api2}. Mist picks {@code /ws} and its Prometheus passphrase's
     * paths ({@code /koekjes}, {@code /koekjes.json…}) before it reads any command, and runs none
     * there ({@code controller_api.cpp}, {@code handleAPIConnection}); mistguard does not know the
     * passphrase, so any other path may be one of those.
     */
    public boolean onApiPath() {
        return path.equals("/") || path.equals("/api") || path.equals("/api2");
    }

    /** True when the command has exactly the given top-level keys, in any order. */
    public boolean hasExactly(Set<String> keys) {
        return commandKeys.equals(keys);
    }
}
