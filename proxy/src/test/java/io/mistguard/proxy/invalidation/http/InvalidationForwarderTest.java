package io.mistguard.proxy.invalidation.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.invalidation.OfferOutcome;
import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.exchange.AnswerHeaders;
import io.mistguard.proxy.exchange.Decision;
import io.mistguard.proxy.exchange.Forwarder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The queue handoff's decision table, with a scripted queue and a delegate that records what is given back. */
class InvalidationForwarderTest {

    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);
    private static final String MIST_OK = "{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}}\n\n";

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final EventLoop loop = channel.eventLoop();
    private final List<String> offered = new ArrayList<>();
    private final List<String> delegated = new ArrayList<>();

    @AfterEach
    void tearDown() {
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private final Forwarder delegate = (loop, alloc, request, mistRequest, privateConnection) -> {
        delegated.add(mistRequest.command());
        request.release();
        Answer proxied = Answer.of(InvalidationReplies.queued(alloc, null).response(), Decision.PROXIED);
        return new Forwarder.Exchange() {
            @Override
            public Future<Answer> response() {
                return loop.newSucceededFuture(proxied);
            }

            @Override
            public void cancel() {
            }
        };
    };

    /**
     * Sends {@code json} as a form body to {@code /} through a forwarder whose queue answers with
     * {@code outcomes}; the answer's {@code Mistguard-*} fields written as the edge writes them.
     */
    private FullHttpResponse send(String json, Function<String, OfferOutcome> outcomes) {
        return send("/", "", json, outcomes);
    }

    /** As {@link #send(String, Function)}, to {@code uri}, with {@code moreForm} before the command. */
    private FullHttpResponse send(String uri, String moreForm, String json, Function<String, OfferOutcome> outcomes) {
        String form = moreForm + "command=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri,
                Unpooled.copiedBuffer(form, StandardCharsets.UTF_8));
        request.headers().set("Content-Type", "application/x-www-form-urlencoded");
        MistRequest mistRequest = new CommandClassifier().classify("POST", uri,
                "application/x-www-form-urlencoded", request.content());
        Function<String, OfferOutcome> queue = name -> {
            offered.add(name);
            return outcomes.apply(name);
        };
        // What the route table does for a queued route: offer it, and send what is given back to Mist.
        Answer queued = new InvalidationForwarder(queue).offer(ALLOC, request, mistRequest);
        Answer answer;
        if (queued != null) {
            answer = queued;
        } else {
            Forwarder.Exchange exchange = delegate.forward(loop, ALLOC, request, mistRequest, null);
            assertThat(exchange.response().isSuccess()).as("answered at once").isTrue();
            answer = exchange.response().getNow();
        }
        assertThat(request.refCnt()).as("the request is released either way").isZero();
        AnswerHeaders.write(answer);
        return answer.response();
    }

    private static String body(FullHttpResponse response) {
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }

    @Test
    void oneNameIsQueuedAndAnsweredWithMistsReply() {
        FullHttpResponse response = send("{\"invalidate_sessions\":\"video+a\"}", n -> OfferOutcome.QUEUED);

        assertThat(response.status().code()).isEqualTo(200);
        assertThat(response.headers().get("Content-Type")).isEqualTo("text/javascript");
        assertThat(response.headers().get("Mistguard-Decision")).isEqualTo("queued");
        assertThat(response.headers().getInt("Content-Length")).isEqualTo(MIST_OK.length());
        assertThat(body(response)).isEqualTo(MIST_OK);
        assertThat(offered).containsExactly("video+a");
        assertThat(delegated).isEmpty();
    }

    /**
     * Found by review: the queued answer came bare, where Mist wraps its reply in the caller's JSONP
     * function and sends its CORS and no-cache fields; a page asking with callback= could not read it.
     */
    @Test
    void theQueuedAnswerHasMistsShapeJsonpAndCorsIncludedRegression() {
        FullHttpResponse wrapped = send("/api2?callback=myCb", "", "{\"invalidate_sessions\":\"video+a\"}",
                                        n -> OfferOutcome.QUEUED);
        assertThat(wrapped.headers().get("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(wrapped.headers().get("Cache-Control")).isEqualTo("no-cache, no-store, must-revalidate");
        assertThat(wrapped.headers().get("Expires")).isEqualTo("0");
        assertThat(body(wrapped)).isEqualTo("myCb(" + MIST_OK.strip() + ");\n\n");

        FullHttpResponse jsonpWins = send("/api2?callback=a", "jsonp=b&", "{\"invalidate_sessions\":\"video+a\"}",
                                          n -> OfferOutcome.QUEUED);
        assertThat(body(jsonpWins)).as("jsonp over callback, a form body's over the query's").startsWith("b(");
    }

    @Test
    void everyNameOfAnArrayIsOfferedInOrderAndCoalescingStillCountsAsAccepted() {
        OfferOutcome[] outcomes = {OfferOutcome.QUEUED, OfferOutcome.COALESCED, OfferOutcome.REQUEUED_AFTER_FLIGHT};
        FullHttpResponse response = send("{\"invalidate_sessions\":[\"a\",\"b\",\"c\"]}",
                n -> outcomes[offered.size() - 1]);

        assertThat(response.headers().get("Mistguard-Decision")).isEqualTo("queued");
        assertThat(body(response)).isEqualTo(MIST_OK);
        assertThat(offered).containsExactly("a", "b", "c");
    }

    @Test
    void anEmptyArrayIsAnsweredWithoutOfferingAnything() {
        FullHttpResponse response = send("{\"invalidate_sessions\":[]}", n -> OfferOutcome.QUEUED);

        assertThat(body(response)).isEqualTo(MIST_OK);
        assertThat(offered).isEmpty();
    }

    static Stream<String> notOurs() {
        return Stream.of(
                "{\"invalidate_sessions\":\"video+a\",\"push_list\":true}", // mixed keys: an ordinary write
                "{\"invalidate_sessions\":3}",
                "{\"invalidate_sessions\":null}",
                "{\"invalidate_sessions\":{\"stream\":\"video+a\"}}",
                "{\"invalidate_sessions\":[\"video+a\",3]}",
                "{\"invalidate_sessions\":[[\"video+a\"]]}",
                "{\"invalidate_sessions\":\"a\",\"invalidate_sessions\":\"b\"}",
                "{\"invalidate_sessions\":\"video+a\"} trailing", // unparsable for Mist as well
                "[\"invalidate_sessions\"]",
                "{\"push_list\":true}");
    }

    @ParameterizedTest
    @MethodSource("notOurs")
    void whatIsNotAPlainInvalidationGoesToTheDelegateUnchanged(String json) {
        FullHttpResponse response = send(json, n -> OfferOutcome.QUEUED);

        assertThat(response.headers().get("Mistguard-Decision")).isEqualTo("proxied");
        response.release();
        assertThat(offered).isEmpty();
        assertThat(delegated).hasSize(1);
    }

    /** Regression: off Mist's API paths Mist may not run the command (its stats, its /ws): Mist decides. */
    @ParameterizedTest
    @ValueSource(strings = {"/ws", "/koekjes", "/koekjes.json", "/anything"})
    void anInvalidationOffMistsApiPathsGoesToMistRegression(String path) {
        FullHttpResponse response = send(path, "", "{\"invalidate_sessions\":\"video+a\"}", n -> OfferOutcome.QUEUED);

        assertThat(response.headers().get("Mistguard-Decision")).isEqualTo("proxied");
        response.release();
        assertThat(offered).isEmpty();
        assertThat(delegated).hasSize(1);
    }

    @Test
    void anInvalidNameRefusesTheWholeRequestWith400BeforeAnythingIsQueued() {
        FullHttpResponse response = send("{\"invalidate_sessions\":[\"video+a\",\"bad\\nname\"]}",
                n -> OfferOutcome.QUEUED);

        assertThat(response.status().code()).isEqualTo(400);
        assertThat(response.headers().get("Mistguard-Decision")).isEqualTo("rejected; reason=invalid-stream-name");
        assertThat(response.headers().contains("Retry-After")).isFalse();
        assertThat(body(response)).startsWith("mistguard: 400").contains("name 1: control character")
                .contains("nothing was queued").doesNotContain("{");
        assertThat(offered).isEmpty();
    }

    @Test
    void aFullQueueIsA503WithRetryAfterAndStopsAtTheFirstRefusedName() {
        FullHttpResponse response = send("{\"invalidate_sessions\":[\"a\",\"b\",\"c\"]}",
                n -> n.equals("a") ? OfferOutcome.QUEUED : OfferOutcome.REJECTED_FULL);

        assertThat(response.status().code()).isEqualTo(503);
        assertThat(response.headers().get("Retry-After")).isEqualTo("1");
        assertThat(response.headers().get("Mistguard-Decision"))
                .isEqualTo("rejected; reason=invalidation-queue-full");
        assertThat(body(response)).contains("1 of 3 names were queued").contains("retry the whole request");
        assertThat(offered).containsExactly("a", "b");
    }

    @Test
    void aQueueShuttingDownIsA503WithItsOwnReason() {
        FullHttpResponse response = send("{\"invalidate_sessions\":\"a\"}", n -> OfferOutcome.REJECTED_SHUTDOWN);

        assertThat(response.status().code()).isEqualTo(503);
        assertThat(response.headers().get("Retry-After")).isEqualTo("1");
        assertThat(response.headers().get("Mistguard-Decision"))
                .isEqualTo("rejected; reason=invalidation-queue-shutting-down");
        assertThat(body(response)).contains("nothing was queued");
    }
}
