package io.mistguard.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which answers leave a connection to Mist fit for the next request (regression: reused connection Mist closed). */
class ReuseRuleTest {

    @ParameterizedTest(name = "{0} {1} [{2}] -> {4}: {5}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            POST | /            | command=%7B%22push_list%22%3A1%7D | text/javascript  | true  | catalyst-api's API call
            POST | /api2        | -                                 | text/javascript  | true  | API path without a command
            GET  | /api2?command=%7B%7D | -                         | text/javascript  | true  | query command
            GET  | /?command=%7B%7D     | -                         | text/javascript  | true  | query command on /
            GET  | /            | -                                 | text/plain       | false | web UI request, whatever the type
            GET  | /foo         | -                                 | -                | false | web UI request
            POST | /            | {"push_list":1}                   | text/javascript  | true  | JSON body (application/json)
            POST | /            | hello                             | text/javascript  | false | no command: web UI
            GET  | /api         | -                                 | text/html        | false | HTML answer
            HEAD | /api2        | -                                 | text/javascript  | false | HEAD: Mist sends a body
            """)
    void decidesReuse(String method, String uri, String body, String answerType, boolean reusable, String why) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri,
                Unpooled.copiedBuffer(body == null ? "" : body, StandardCharsets.UTF_8));
        if (body != null) {
            request.headers().set("Content-Type", body.startsWith("{") ? "application/json"
                                                                        : "application/x-www-form-urlencoded");
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        if (answerType != null) {
            response.headers().set("Content-Type", answerType);
        }
        try {
            assertThat(ReuseRule.MIST.reusable(request, response)).as(why).isEqualTo(reusable);
        } finally {
            request.release();
            response.release();
        }
    }

    /**
     * Regression (found by review): a trigger to catalyst-api — a plain-text payload on a path that
     * is not Mist's API — was judged by Mist's web UI rule, so no connection to catalyst-api was reused.
     */
    @org.junit.jupiter.api.Test
    void aTriggerAnswerLeavesCatalystApisConnectionReusableButMistsRuleStillRetiresMists() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/mist/trigger",
                Unpooled.copiedBuffer("video+s1\n10.0.0.7\n41\nHLS\nhttp://x/\nsess-a", StandardCharsets.UTF_8));
        request.headers().set("Content-Type", "text/plain");
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set("Content-Type", "text/html");
        try {
            assertThat(ReuseRule.HTTP.reusable(request, response)).isTrue();
            assertThat(ReuseRule.MIST.reusable(request, response)).as("Mist would have sent its web UI").isFalse();
            response.headers().set("Connection", "close");
            assertThat(ReuseRule.HTTP.reusable(request, response)).isFalse();
        } finally {
            request.release();
            response.release();
        }
    }

    /** A 204 or 304 ends at its head: a body it announced would be read as the next answer (regression). */
    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {"204, 5, -, false", "204, -, chunked, false", "304, 12, -, false",
                                          "204, 0, -, true", "204, -, -, true", "304, -, -, true", "200, 5, -, true"})
    void aNoBodyAnswerThatAnnouncesABodyRetiresTheConnection(int status, String length, String coding, boolean reusable) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/mist/trigger");
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        if (length != null) {
            response.headers().set("Content-Length", length);
        }
        if (coding != null) {
            response.headers().set("Transfer-Encoding", coding);
        }
        try {
            assertThat(ReuseRule.HTTP.reusable(request, response)).isEqualTo(reusable);
            if (!reusable) {
                assertThat(ReuseRule.MIST.reusable(request, response)).isFalse();
            }
        } finally {
            request.release();
            response.release();
        }
    }

    @ParameterizedTest
    @CsvSource({"HTTP/1.1, close, false", "HTTP/1.0, , false", "HTTP/1.0, keep-alive, true", "HTTP/1.1, , true"})
    void answerThatEndsKeepAliveRetiresTheConnection(String version, String connection, boolean reusable) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api2");
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.valueOf(version), HttpResponseStatus.OK);
        if (connection != null) {
            response.headers().set("Connection", connection);
        }
        assertThat(ReuseRule.MIST.reusable(request, response)).isEqualTo(reusable);
        request.release();
        response.release();
    }

    /**
     * Each rule is in the half that reads what it looks at: {@code UpstreamCall} decides the request's
     * half when it sends the request, and the answer's when the answer is in.
     */
    @org.junit.jupiter.api.Test
    void theRequestsHalfAndTheAnswersHalfEachDecideTheirOwnRules() {
        FullHttpRequest api = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api");
        FullHttpRequest head = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD, "/api");
        FullHttpRequest webUi = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        FullHttpRequest closing = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api");
        closing.headers().set("Connection", "close");
        FullHttpResponse plain = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        FullHttpResponse html = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        html.headers().set("Content-Type", "text/html; charset=utf-8");
        FullHttpResponse challenge = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN);
        challenge.headers().set("WWW-Authenticate", "json");
        try {
            assertThat(ReuseRule.MIST.afterRequest(api)).isTrue();
            assertThat(ReuseRule.MIST.afterRequest(head)).isFalse();
            assertThat(ReuseRule.MIST.afterRequest(webUi)).isFalse();
            assertThat(ReuseRule.HTTP.afterRequest(webUi)).isTrue();
            assertThat(ReuseRule.HTTP.afterRequest(closing)).isFalse();
            assertThat(ReuseRule.MIST.afterAnswer(plain)).isTrue();
            assertThat(ReuseRule.MIST.afterAnswer(html)).isFalse();
            assertThat(ReuseRule.HTTP.afterAnswer(html)).isTrue();
            assertThat(ReuseRule.MIST.afterAnswer(challenge)).isFalse();
        } finally {
            for (FullHttpRequest r : new FullHttpRequest[] {api, head, webUi, closing}) {
                r.release();
            }
            plain.release();
            html.release();
            challenge.release();
        }
    }
}
