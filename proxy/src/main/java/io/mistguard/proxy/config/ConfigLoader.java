package io.mistguard.proxy.config;

import io.mistguard.proxy.config.yaml.YamlConfigLoader;
import java.nio.file.Path;

/**
 * Loads the mistguard config file: the one entry point the rest of the proxy uses, so that the YAML
 * binding behind it ({@code io.mistguard.proxy.config.yaml}) stays an implementation detail of this
 * package. Returns a validated {@link ProxyConfig} or throws one {@link ConfigException} with every
 * problem found.
 *
 * <p>An empty file is valid and means "all defaults". Safe to call from any thread; a reload
 * simply loads again and keeps the running config when this throws.
 */
public final class ConfigLoader {

    private ConfigLoader() {}

    /** Loads {@code file}; problems name it as given, so relative paths stay short. */
    public static ProxyConfig load(Path file) throws ConfigException {
        return YamlConfigLoader.load(file);
    }

    /**
     * The address problems of {@code config} as it will run, the command line's flags applied: two
     * listeners on one socket, or an upstream that reaches one of mistguard's own listeners (a loop).
     * Each is {@code "<key>: <what> (expected: ...)"}; empty if none. The file's loader checks the
     * file's own addresses the same way, with their line and column.
     */
    public static java.util.List<String> addressProblems(ProxyConfig config) {
        return YamlConfigLoader.addressProblems(config);
    }

    /** Parses {@code yaml}, naming it {@code sourceName} in problems. */
    public static ProxyConfig parse(String yaml, String sourceName) throws ConfigException {
        return YamlConfigLoader.parse(yaml, sourceName);
    }
}
