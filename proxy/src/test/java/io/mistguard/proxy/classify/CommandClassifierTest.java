package io.mistguard.proxy.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.MistCommands;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command catalyst-api sends (mist-api.md §3), in every encoding Mist accepts, on every API
 * path: the classifier must find the same set of top-level keys each time.
 */
class CommandClassifierTest {

    private static final CommandClassifier CLASSIFIER = new CommandClassifier();

    static Stream<Arguments> everyCommandInEveryEncodingOnEveryPath() {
        List<Arguments> cases = new ArrayList<>();
        for (MistCommands.Command command : MistCommands.ALL) {
            for (String path : List.of("/", "/api", "/api2")) {
                for (CommandEncoding encoding : List.of(CommandEncoding.FORM_BODY, CommandEncoding.JSON_BODY,
                        CommandEncoding.QUERY)) {
                    cases.add(Arguments.of(command.json(), command.keys(), path, encoding));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{3} {2} {0}")
    @MethodSource("everyCommandInEveryEncodingOnEveryPath")
    void findsTheTopLevelKeys(String json, Set<String> keys, String path, CommandEncoding encoding) {
        MistRequest request = classify(encoding, path, json);

        assertThat(request.commandKeys()).isEqualTo(keys);
        assertThat(request.encoding()).isEqualTo(encoding);
        assertThat(request.path()).isEqualTo(path);
        assertThat(request.command()).isEqualTo(json);
        assertThat(request.hasCommand()).isTrue();
    }

    @Test
    void whitespaceAndNestingDoNotHideKeys() {
        MistRequest request = classify(CommandEncoding.FORM_BODY, "/",
                " { \"push_list\" : 1 , \"config\" : { \"nested\" : [ {\"x\":1} ] } } ");
        assertThat(request.commandKeys()).containsExactlyInAnyOrder("push_list", "config");
    }

    @Test
    void prometheusAndWebUiPathsCarryNoCommand() {
        for (String uri : List.of("/koekjes", "/koekjes.json", "/", "/favicon.ico")) {
            MistRequest request = CLASSIFIER.classify("GET", uri, null, Unpooled.EMPTY_BUFFER);
            assertThat(request.encoding()).as(uri).isEqualTo(CommandEncoding.NONE);
            assertThat(request.commandKeys()).as(uri).isEmpty();
            assertThat(request.hasCommand()).as(uri).isFalse();
        }
    }

    @Test
    void queryStringIsNotPartOfThePath() {
        MistRequest request = CLASSIFIER.classify("GET", "/api2?callback=cb&command=%7B%22push_list%22%3A1%7D",
                null, Unpooled.EMPTY_BUFFER);
        assertThat(request.path()).isEqualTo("/api2");
        assertThat(request.commandKeys()).containsExactly("push_list");
    }

    @Test
    void plusInAFormBodyIsASpaceAndAnEncodedPlusIsAPlus() {
        MistRequest request = classifyForm("/", "command=" + URLEncoder.encode("{\"nuke_stream\":\"video+x\"}",
                StandardCharsets.UTF_8));
        assertThat(request.command()).isEqualTo("{\"nuke_stream\":\"video+x\"}");
    }

    static Stream<Arguments> unparsableCommands() {
        return Stream.of(
                Arguments.of("command=not-json", "not JSON at all"),
                Arguments.of("command=%5B1%2C2%5D", "a JSON array, not an object"),
                Arguments.of("command=%7B%22a%22%3A1%7Dgarbage", "trailing garbage"),
                Arguments.of("command=%7B%22a%22%3A", "truncated object"),
                Arguments.of("command=%ZZ", "malformed percent escape"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("unparsableCommands")
    void unparsableCommandsAreMarkedButKeepTheirText(String body, String why) {
        MistRequest request = classifyForm("/", body);
        assertThat(request.parsable()).isFalse();
        assertThat(request.commandKeys()).isEmpty();
        assertThat(request.hasCommand()).isFalse();
    }

    @Test
    void jsonBodyWinsOverAQueryCommandLikeMistDoes() {
        ByteBuf body = Unpooled.copiedBuffer("{\"config\":{}}", StandardCharsets.UTF_8);
        MistRequest request = CLASSIFIER.classify("POST", "/api?command=%7B%22push_list%22%3A1%7D",
                "application/json", body);
        assertThat(request.commandKeys()).containsExactly("config");
        assertThat(body.readerIndex()).as("body not consumed").isZero();
        body.release();
    }

    /** Mist 3.10 reads a JSON body only for exactly {@code application/json} (mist-api.md §8). */
    @ParameterizedTest
    @ValueSource(strings = {"application/json; charset=utf-8", "application/JSON", "application/json ",
                            "text/json", "application/x-www-form-urlencoded"})
    void jsonBodyUnderAnyOtherContentTypeIsNoCommandLikeMistReadsIt(String contentType) {
        ByteBuf body = Unpooled.copiedBuffer("{\"nuke_stream\":\"video+x\"}", StandardCharsets.UTF_8);
        MistRequest request = CLASSIFIER.classify("POST", "/api2", contentType, body);
        assertThat(request.hasCommand()).isFalse();
        assertThat(request.commandKeys()).isEmpty();
        MistRequest withQuery = CLASSIFIER.classify("POST", "/api?command=%7B%22push_list%22%3A1%7D", contentType, body);
        assertThat(withQuery.commandKeys()).as("the query's command is what Mist reads").containsExactly("push_list");
        body.release();
    }

    private static MistRequest classify(CommandEncoding encoding, String path, String json) {
        return switch (encoding) {
            case FORM_BODY -> classifyForm(path, "command=" + URLEncoder.encode(json, StandardCharsets.UTF_8));
            case JSON_BODY -> withBody(path, "application/json", json);
            case QUERY -> CLASSIFIER.classify("GET", path + "?command=" + URLEncoder.encode(json, StandardCharsets.UTF_8),
                    null, Unpooled.EMPTY_BUFFER);
            case NONE -> throw new IllegalArgumentException("no command");
        };
    }

    private static MistRequest classifyForm(String path, String body) {
        return withBody(path, "application/x-www-form-urlencoded", body);
    }

    private static MistRequest withBody(String path, String contentType, String body) {
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            return CLASSIFIER.classify("POST", path, contentType, buf);
        } finally {
            buf.release();
        }
    }

    private static MistRequest form(String body) {
        return CLASSIFIER.classify("POST", "/api2", "application/x-www-form-urlencoded",
                Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** Regressions found by HostileInputIT: each was forwarded to Mist, read by a guess. */
    @ParameterizedTest(name = "{1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "command=%7B%22push_list%22%3Atrue%7D%G1  | a non-hex escape",
            "command=%7B%22push_list%22%3Atrue%7D%    | a truncated escape",
            "command=%7B%22push_list%22%3Atrue%7D%4   | an escape of one digit",
            "command=%7B%22a%22%3A%22%FF%FE%22%7D     | bytes that are not UTF-8",
            "command=%7B%22a%22%3A%22%C0%AF%22%7D     | an overlong UTF-8 form",
            "command=%7B%22a%22%3A%22%ED%A0%80%22%7D  | a UTF-16 surrogate in UTF-8",
    })
    void aCommandMistguardCannotReadAsMistWouldIsUnreadable(String body, String why) {
        MistRequest request = form(body);
        assertThat(request.unreadable()).as(why).isNotNull();
        assertThat(request.commandKeys()).isEmpty();
        assertThat(request.hasCommand()).isFalse();
    }

    @Test
    void anInvalidEscapeOutsideTheCommandIsMistsBusiness() {
        assertThat(form("x=%zz&command=%7B%22push_list%22%3Atrue%7D").unreadable()).isNull();
        assertThat(form("x=%zz&command=%7B%22push_list%22%3Atrue%7D").commandKeys()).containsExactly("push_list");
    }

    @Test
    void aJsonBodyThatIsNotUtf8IsUnreadable() {
        MistRequest request = CLASSIFIER.classify("POST", "/api2", "application/json",
                Unpooled.wrappedBuffer(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'}));
        assertThat(request.unreadable()).isNotNull();
    }

    /** Regression: nesting beyond the parser's limit made the command merely "unparsable", and forwarded. */
    @Test
    void aCommandNestedDeeperThanTheLimitIsUnreadableAndOneAtTheLimitIsRead() {
        int depth = CommandClassifier.MAX_NESTING_DEPTH;
        String atLimit = "{\"a\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}";
        String over = "{\"authorize\":{},\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        assertThat(CLASSIFIER.classify("POST", "/", "application/json", utf8(atLimit)).commandKeys())
                .containsExactly("a");
        MistRequest deep = CLASSIFIER.classify("POST", "/", "application/json", utf8(over));
        assertThat(deep.unreadable()).contains("nests deeper");
        assertThat(CLASSIFIER.classify("POST", "/", "application/json",
                utf8("{\"a\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}")).unreadable()).isNotNull();
    }

    private static ByteBuf utf8(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }
}
