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
     * Whether listeners on {@code a} and {@code b} would want the same socket: the same port (not 0,
     * which asks for any free one) on the same host, loopback names as one, or a wildcard on either
     * side. The rule the file's own checks apply, for addresses given as flags.
     */
    public static boolean listenersCollide(HostPort a, HostPort b) {
        return YamlConfigLoader.listenersCollide(a, b);
    }

    /** Parses {@code yaml}, naming it {@code sourceName} in problems. */
    public static ProxyConfig parse(String yaml, String sourceName) throws ConfigException {
        return YamlConfigLoader.parse(yaml, sourceName);
    }
}
