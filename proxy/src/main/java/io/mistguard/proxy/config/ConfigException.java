package io.mistguard.proxy.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A configuration that cannot be used, with every problem found in it.
 *
 * <p>Each problem is one line of the form {@code file:line:column: key.path: message}, in file
 * order, so an operator fixes all of them in one pass instead of one per restart. The message of
 * the exception is the same lines joined by newlines, which is what a CLI should print.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /**
     * @param problems one formatted line each, in file order; at least one. Public for the YAML
     *                 binder ({@code config.yaml}), which collects them.
     */
    public ConfigException(List<String> problems) {
        super(String.join("\n", requireNonNull(problems, "problems")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problems: [] (expected: at least one)");
        }
        this.problems = List.copyOf(problems);
    }

    /** Returns the problems, one formatted line each, in file order. */
    public List<String> problems() {
        return problems;
    }
}
