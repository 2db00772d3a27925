package io.mistguard.proxy.config.yaml;

import static java.util.Objects.requireNonNull;

import io.mistguard.proxy.config.ConfigException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Collects the problems of one config source and formats them as
 * {@code source:line:column: key.path: message}.
 *
 * <p>Binding goes on after a problem (with the default in place of the bad value) so that all
 * problems are reported at once; they are sorted into file order at the end because readers visit
 * keys in schema order, not in the order the operator wrote them. Not thread-safe: one instance
 * belongs to one load.
 */
final class Problems {

    /** Problems without a position (unreadable file) sort first; ties keep insertion order. */
    private static final Comparator<Problem> FILE_ORDER =
            Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column)
                      .thenComparingInt(Problem::sequence);

    private final String source;
    private final List<Problem> problems = new ArrayList<>();

    Problems(String source) {
        this.source = requireNonNull(source, "source");
    }

    String source() {
        return source;
    }

    /** Adds a problem located at the start of {@code node}. */
    void add(Node node, String path, String message) {
        add(node.getStartMark(), path, message);
    }

    /** Adds a problem at a snakeyaml mark (0-based); an absent mark means "the whole file". */
    void add(Optional<Mark> mark, String path, String message) {
        int line = mark.map(m -> m.getLine() + 1).orElse(0);
        int column = mark.map(m -> m.getColumn() + 1).orElse(0);
        problems.add(new Problem(line, column, requireNonNull(path, "path"),
                                 requireNonNull(message, "message"), problems.size()));
    }

    /** Adds a problem at a 1-based {@code line} and {@code column} of the file, about no key. */
    void addAt(int line, int column, String message) {
        problems.add(new Problem(line, column, "", requireNonNull(message, "message"), problems.size()));
    }

    /** Adds a problem about the file as a whole, such as "file not found". */
    void addFileProblem(String message) {
        add(Optional.empty(), "", message);
    }

    int count() {
        return problems.size();
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    /**
     * Whether a problem was recorded at {@code path}, under it ({@code routes[0]} covers
     * {@code routes[0].timeout}) or at one of its enclosing keys ({@code admin} is not a mapping, so
     * {@code admin.listen} is a default). Checks that combine keys ask this first, so they never
     * blame a default that stands in for a value the operator wrote wrongly.
     */
    boolean any(String path) {
        return problems.stream().anyMatch(p -> encloses(path, p.path()) || encloses(p.path(), path));
    }

    /** Whether {@code inner} is {@code outer} or a key path under it; the root {@code ""} encloses all. */
    private static boolean encloses(String outer, String inner) {
        return outer.isEmpty() || inner.equals(outer) || inner.startsWith(outer + '.') || inner.startsWith(outer + '[');
    }

    /** Returns the formatted problems in file order. */
    List<String> formatted() {
        return problems.stream().sorted(FILE_ORDER).map(this::format).toList();
    }

    /** Throws a {@link ConfigException} listing every problem, if there is any. */
    void throwIfAny() throws ConfigException {
        if (!problems.isEmpty()) {
            throw new ConfigException(formatted());
        }
    }

    private String format(Problem p) {
        StringBuilder out = new StringBuilder(source);
        if (p.line() > 0) {
            out.append(':').append(p.line()).append(':').append(p.column());
        }
        out.append(": ");
        if (!p.path().isEmpty()) {
            out.append(p.path()).append(": ");
        }
        return out.append(p.message()).toString();
    }

    private record Problem(int line, int column, String path, String message, int sequence) {}
}
