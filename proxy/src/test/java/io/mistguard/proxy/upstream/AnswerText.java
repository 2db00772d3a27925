package io.mistguard.proxy.upstream;

import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An answer out of the upstream pipeline as text to compare, for the differential tests of
 * {@link WholeAnswerParser}: decoding result, version, status code and reason, fields in order,
 * body, trailers, and whether bytes were read past it ({@link UpstreamCodec#answerEndedCleanly}).
 */
final class AnswerText {

    private AnswerText() {
    }

    static String of(Object msg, UpstreamCodec codec) {
        if (!(msg instanceof FullHttpResponse answer)) {
            return msg.getClass().getSimpleName(); // not expected: would differ between the two
        }
        StringBuilder text = new StringBuilder();
        text.append(answer.decoderResult().isSuccess() ? "ok" : "failed: " + answer.decoderResult().cause());
        text.append(' ').append(answer.protocolVersion()).append(' ').append(answer.status().code()).append(' ')
            .append(answer.status().reasonPhrase()).append(' ');
        List<String> fields = new ArrayList<>();
        for (Map.Entry<String, String> field : answer.headers()) {
            fields.add(field.getKey() + "=" + field.getValue());
        }
        text.append(fields).append(' ').append(answer.content().toString(StandardCharsets.ISO_8859_1));
        text.append(answer.trailingHeaders().isEmpty() ? "" : " trailers " + answer.trailingHeaders().names());
        return text.append(" clean=").append(codec.answerEndedCleanly()).toString();
    }
}
