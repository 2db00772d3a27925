package io.mistguard.proxy.config.yaml;

import java.util.Optional;

import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Turns YAML text into snakeyaml-engine's node tree, which keeps the position of every value, and
 * turns YAML errors into positioned problems instead of exceptions, nesting too deep to parse included.
 *
 * <p>The tree is composed, not constructed into Java objects: construction would lose positions
 * and apply YAML's implicit typing ({@code 010} as octal, {@code no} as false) before we get to say
 * what was expected.
 */
final class YamlSource {

    /** A config file is small; anything past this is a mistake, and aliases must not amplify it. */
    private static final int MAX_CODE_POINTS = 1 << 20;
    private static final int MAX_ALIASES = 20;

    private YamlSource() {}

    /** Returns the document's root node; empty for an empty file or one with a problem. */
    static Optional<Node> compose(String text, Problems problems) {
        LoadSettings settings = LoadSettings.builder()
                                            .setLabel(problems.source())
                                            .setCodePointLimit(MAX_CODE_POINTS)
                                            // The whole text in one buffer: snakeyaml-engine 2.10's
                                            // reader failed (IndexOutOfBoundsException) on a character
                                            // outside the BMP (an emoji in a comment) that straddled
                                            // its 1 024-character buffer's end.
                                            .setBufferSize(Math.min(MAX_CODE_POINTS, text.length()) + 1)
                                            .setMaxAliasesForCollections(MAX_ALIASES)
                                            .setAllowRecursiveKeys(false)
                                            // YAML 1.2 core: "~", "null" and nothing are null, as operators expect
                                            .setSchema(new CoreSchema())
                                            .build();
        try {
            return new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            problems.add(e.getProblemMark(), "", "invalid YAML: " + describe(e));
        } catch (ReaderException e) {
            int[] at = TextPositions.lineColumn(text, e.getPosition());
            problems.addAt(at[0], at[1], "invalid YAML: character U+" + Integer.toHexString(e.getCodePoint()).toUpperCase()
                                         + " is not allowed in YAML");
        } catch (YamlEngineException e) {
            String message = e.getMessage();
            if (message != null && message.startsWith("Number of aliases for non-scalar nodes exceeds")) {
                // Found by review: a plain "max=20" without a word of why or what to do.
                message = "more than " + MAX_ALIASES + " aliases (*name) to mappings or lists; mistguard reads at "
                          + "most " + MAX_ALIASES + ", so that aliases cannot make a small file huge (expected: the "
                          + "values written out, or the shared ones under route_defaults)";
            }
            problems.addFileProblem("invalid YAML: " + message);
        } catch (RuntimeException e) {
            // The parser's own failure on some input (not a YAML problem it reports as such): still a
            // problem of the file, never a stack trace and exit 1, nor a 500 on reload.
            problems.addFileProblem("invalid YAML: the parser failed on this file: " + e);
        } catch (StackOverflowError e) {
            // snakeyaml-engine composes nested collections recursively and has no depth limit: a file of
            // a few thousand "[" (or as many indented levels) ran the stack out, and the error ended
            // check-config and start with a stack trace, and a reload with a 500. The parse is all
            // that was on the stack, so it is unwound and nothing else is left half-done.
            problems.addFileProblem("invalid YAML: collections nested too deeply to read (a mistguard config "
                                    + "needs a few levels)");
        }
        return Optional.empty();
    }

    /** snakeyaml's problem ("mapping values are not allowed here"), with its context when it has one. */
    private static String describe(MarkedYamlEngineException e) {
        String problem = e.getProblem() == null ? "syntax error" : e.getProblem();
        if (e.getContext() == null || e.getContext().isBlank()) {
            return problem;
        }
        String where = e.getContextMark().map(m -> " at line " + (m.getLine() + 1)).orElse("");
        return problem + " (" + e.getContext() + where + ')';
    }
}
