package io.mistguard.proxy.config.yaml;

import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.config.ConfigException;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.Quotes;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The steps behind {@link io.mistguard.proxy.config.ConfigLoader}: read, compose, bind, check across
 * keys, and either return a validated {@link ProxyConfig} or throw one {@link ConfigException} with
 * every problem found.
 *
 * <p>The only public type of this package, and only for that facade: code outside
 * {@code io.mistguard.proxy.config} calls {@code ConfigLoader}, never this. Stateless; safe to call
 * from any thread.
 */
public final class YamlConfigLoader {

    /** The most bytes read: 1 Mi characters (the parser's own limit) of up to 4 bytes each. */
    private static final long MAX_FILE_BYTES = 4L << 20;

    private YamlConfigLoader() {}

    /**
     * Loads {@code file}; problems name it as given, so relative paths stay short. Only a regular
     * file of at most 4 MiB is read (and the parser takes at most 1 Mi characters of it).
     */
    public static ProxyConfig load(Path file) throws ConfigException {
        requireNonNull(file, "file");
        Problems problems = new Problems(file.toString().isEmpty() ? "\"\"" : file.toString());
        Optional<String> text = read(file, problems);
        problems.throwIfAny();
        return parse(text.orElseThrow(), problems);
    }

    /** {@link AddressChecks#problems}: the address problems of an effective configuration. */
    public static java.util.List<String> addressProblems(ProxyConfig config) {
        return AddressChecks.problems(config);
    }

    /** Parses {@code yaml}, naming it {@code sourceName} in problems. */
    public static ProxyConfig parse(String yaml, String sourceName) throws ConfigException {
        requireNonNull(yaml, "yaml");
        return parse(yaml, new Problems(requireNonNull(sourceName, "sourceName")));
    }

    private static ProxyConfig parse(String yaml, Problems problems) throws ConfigException {
        Optional<Node> root = YamlSource.compose(yaml, problems);
        problems.throwIfAny();
        ConfigMapping mapping = rootMapping(root, problems);
        ProxyConfig config = mapping.bind(ProxyConfigBinder::bind);
        // Cross-field checks run whatever else is wrong (every problem at once); each one skips
        // keys that already have a problem, so it never blames the default standing in for them.
        ConfigChecks.check(config, mapping);
        problems.throwIfAny();
        return config;
    }

    private static ConfigMapping rootMapping(Optional<Node> root, Problems problems) {
        if (root.isEmpty()) {
            return ConfigMapping.empty(Optional.empty(), "", problems);
        }
        Node node = root.get();
        if (node instanceof MappingNode mapping) {
            return ConfigMapping.of(mapping, "", problems);
        }
        if (node instanceof ScalarNode && Tag.NULL.equals(node.getTag())) {
            return ConfigMapping.empty(node, "", problems);
        }
        String found = node instanceof ScalarNode scalar ? Quotes.quote(scalar.getValue()) : "a list";
        problems.add(node, "", "the top level is " + found +
                               " (expected: a mapping of settings, like listen: 127.0.0.1:4243)");
        return ConfigMapping.empty(node, "", problems);
    }

    private static Optional<String> read(Path file, Problems problems) {
        if (file.toString().isEmpty()) {
            problems.addFileProblem("an empty path names no file (expected: a YAML file)");
            return Optional.empty();
        }
        if (Files.isDirectory(file)) {
            problems.addFileProblem("is a directory (expected: a YAML file)");
            return Optional.empty();
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // /dev/zero was read until the heap ran out; a FIFO without a writer hung the start.
            problems.addFileProblem("is not a regular file (a device, a pipe or a socket; expected: a YAML file)");
            return Optional.empty();
        }
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                problems.addFileProblem("is " + size + " bytes (expected: a YAML file of at most 4 MiB)");
                return Optional.empty();
            }
            byte[] bytes = Files.readAllBytes(file);
            String text = TextPositions.utf8(bytes, problems);
            return Optional.ofNullable(text);
        } catch (NoSuchFileException e) {
            problems.addFileProblem("file not found");
        } catch (AccessDeniedException e) {
            problems.addFileProblem("permission denied");
        } catch (IOException e) {
            problems.addFileProblem("cannot be read: " + e);
        }
        return Optional.empty();
    }
}
