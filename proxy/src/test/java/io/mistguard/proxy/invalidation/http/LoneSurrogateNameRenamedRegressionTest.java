package io.mistguard.proxy.invalidation.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.classify.CommandClassifier;
import io.mistguard.proxy.classify.MistRequest;
import io.mistguard.proxy.exchange.Answer;
import io.mistguard.proxy.invalidation.OfferOutcome;
import io.mistguard.proxy.invalidation.StreamNames;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression (found by review): a JSON escape for half a UTF-16 surrogate pair ({@code "\ud800"}) is
 * valid JSON and was queued as given, but it is not a character: the sender's UTF-8 form body and
 * the state file both turned it into {@code ?}, so Mist was asked to invalidate another stream
 * ({@code video+?}), and after a restart the queue held that other name. Mist itself would have kept
 * the escape's bytes. Such a name is now refused with a 400 that names it, and nothing is queued.
 */
class LoneSurrogateNameRenamedRegressionTest {

    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    @Test
    void deliveryWouldHaveRenamedTheStream() {
        String name = "video+\ud800";
        FullHttpRequest request = MistInvalidationSender.request(ALLOC, "mist", List.of(name));
        String form = request.content().toString(StandardCharsets.US_ASCII);
        request.release();
        String delivered = URLDecoder.decode(form.substring("command=".length()), StandardCharsets.UTF_8);

        assertThat(delivered).isEqualTo("{\"invalidate_sessions\":[\"video+?\"]}"); // another stream
        assertThat(new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo("video+?");
    }

    @Test
    void aNameWithALoneSurrogateIsRefusedWith400AndNothingIsQueued() {
        for (String escaped : List.of("video+\\ud800", "\\udc00video", "a\\udbff\\u0041")) {
            List<String> offered = new ArrayList<>();
            Answer answer = offer("{\"invalidate_sessions\":[\"video+ok\",\"" + escaped + "\"]}", offered);
            try {
                assertThat(answer.response().status().code()).isEqualTo(400);
                assertThat(answer.response().content().toString(StandardCharsets.UTF_8))
                        .contains("name 1: ").contains("surrogate").contains("nothing was queued");
            } finally {
                answer.response().release();
            }
            assertThat(offered).isEmpty();
        }
    }

    @Test
    void aProperSurrogatePairIsACharacterAndIsQueued() {
        List<String> offered = new ArrayList<>();
        Answer answer = offer("{\"invalidate_sessions\":\"video+\\ud83d\\ude00\"}", offered);
        try {
            assertThat(answer.response().status().code()).isEqualTo(200);
        } finally {
            answer.response().release();
        }
        assertThat(offered).containsExactly("video+\ud83d\ude00");
        assertThat(StreamNames.problem("video+\ud83d\ude00")).isNull();
    }

    private static Answer offer(String json, List<String> offered) {
        String form = "command=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api2",
                Unpooled.copiedBuffer(form, StandardCharsets.US_ASCII));
        request.headers().set("Content-Type", "application/x-www-form-urlencoded");
        MistRequest mistRequest = new CommandClassifier().classify("POST", "/api2",
                "application/x-www-form-urlencoded", request.content());
        Answer answer = new InvalidationForwarder(name -> {
            offered.add(name);
            return OfferOutcome.QUEUED;
        }).offer(ALLOC, request, mistRequest);
        assertThat(request.refCnt()).isZero();
        return answer;
    }
}
