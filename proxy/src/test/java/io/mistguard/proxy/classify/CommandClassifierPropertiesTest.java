package io.mistguard.proxy.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Properties of the classifier (issue #14): every form, query and JSON encoding of a command, on
 * every API path and among other variables, classifies to the same top-level keys; and no input at
 * all makes it throw.
 */
class CommandClassifierPropertiesTest {

    private static final CommandClassifier CLASSIFIER = new CommandClassifier();
    private static final JsonFactory JSON = new JsonFactory();

    /** A command: distinct keys (any text without lone surrogates) with small nested values. */
    @Provide
    Arbitrary<Map<String, Object>> commands() {
        Arbitrary<String> text = Arbitraries.strings().withCharRange('\u0000', '\uD7FF').ofMaxLength(12);
        Arbitrary<Object> leaf = Arbitraries.oneOf(text.map(s -> (Object) s), Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.of(true, false).map(b -> (Object) b));
        Arbitrary<Object> value = Arbitraries.oneOf(leaf, leaf.list().ofMaxSize(3).map(l -> (Object) l),
                Arbitraries.maps(text, leaf).ofMaxSize(3).map(m -> (Object) m));
        return Arbitraries.maps(text, value).ofMaxSize(6);
    }

    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.of("/", "/api", "/api2", "/anything/else");
    }

    /** Variables a caller may add around the command, none of them called {@code command}. */
    @Provide
    Arbitrary<String> otherVariables() {
        Arbitrary<String> name = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6)
                .filter(n -> !n.equals("command"));
        Arbitrary<String> variable = Combinators.combine(name, Arbitraries.strings().ofMaxLength(8))
                .as((n, v) -> n + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
        return variable.list().ofMaxSize(3).map(l -> String.join("&", l));
    }

    @Property(tries = 300)
    void everyEncodingOfACommandClassifiesTheSame(@ForAll("commands") Map<String, Object> command,
                                                  @ForAll("paths") String path,
                                                  @ForAll("otherVariables") String before,
                                                  @ForAll("otherVariables") String after) throws IOException {
        String json = json(command);
        String encoded = "command=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
        String variables = join(before, encoded, after);
        MistRequest form = CLASSIFIER.classify("POST", path, "application/x-www-form-urlencoded", ascii(variables));
        MistRequest query = CLASSIFIER.classify("GET", path + "?" + variables, null, Unpooled.EMPTY_BUFFER);
        MistRequest body = CLASSIFIER.classify("POST", path, "application/json",
                Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)));
        // a stale command in the query is replaced by the form body's, as Mist reads them
        MistRequest both = CLASSIFIER.classify("POST", path + "?command=%7B%22push_list%22%3A1%7D",
                "application/x-www-form-urlencoded", ascii(variables));

        Set<String> keys = command.keySet();
        for (MistRequest request : List.of(form, query, body, both)) {
            assertThat(request.unreadable()).isNull();
            assertThat(request.hasCommand()).isTrue();
            assertThat(request.commandKeys()).isEqualTo(keys);
            assertThat(request.command()).isEqualTo(json);
        }
    }

    @Property(tries = 1000)
    void classifyNeverThrows(@ForAll @Size(max = 6) String method, @ForAll String uri,
                             @ForAll("contentTypes") String contentType, @ForAll byte[] body) {
        MistRequest request = CLASSIFIER.classify(method, uri, contentType, Unpooled.wrappedBuffer(body));
        assertThat(request.commandKeys()).isNotNull();
        assertThat(request.unreadable() == null || request.commandKeys().isEmpty()).isTrue();
    }

    @Property(tries = 1000)
    void aTextCommandNeverThrowsInAnyEncoding(@ForAll String raw) {
        String latin1 = new String(raw.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        CLASSIFIER.classify("POST", "/", "application/x-www-form-urlencoded", ascii("command=" + latin1));
        CLASSIFIER.classify("GET", "/?command=" + latin1, null, Unpooled.EMPTY_BUFFER);
        CLASSIFIER.classify("POST", "/", "application/json", Unpooled.wrappedBuffer(raw.getBytes(StandardCharsets.UTF_8)));
        assertThat(MistUrlEncoding.decode(raw, true)).isNotNull();
        MistUrlEncoding.lastValue(raw, "command");
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.oneOf(Arbitraries.of("application/json", "application/x-www-form-urlencoded", "text/plain"),
                Arbitraries.strings().ofMaxLength(20), Arbitraries.just(null));
    }

    private static String join(String before, String command, String after) {
        StringBuilder out = new StringBuilder();
        for (String part : List.of(before, command, after)) {
            if (!part.isEmpty()) {
                out.append(out.length() == 0 ? "" : "&").append(part);
            }
        }
        return out.toString();
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String json(Map<String, Object> command) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            write(generator, command);
        }
        return out.toString();
    }

    private static void write(JsonGenerator generator, Object value) throws IOException {
        if (value instanceof Map<?, ?> map) {
            generator.writeStartObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                generator.writeFieldName((String) entry.getKey());
                write(generator, entry.getValue());
            }
            generator.writeEndObject();
        } else if (value instanceof List<?> list) {
            generator.writeStartArray();
            for (Object item : list) {
                write(generator, item);
            }
            generator.writeEndArray();
        } else if (value instanceof String s) {
            generator.writeString(s);
        } else if (value instanceof Integer i) {
            generator.writeNumber(i);
        } else {
            generator.writeBoolean((Boolean) value);
        }
    }
}
