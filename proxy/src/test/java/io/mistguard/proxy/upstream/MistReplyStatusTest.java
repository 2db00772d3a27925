package io.mistguard.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which 200 bodies count as valid Mist replies, worth keeping. */
class MistReplyStatusTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
            "{\"LTS\":1,\"authorize\":{\"local\":true,\"status\":\"OK\"}}\\n\\n | true",
            "{\"config\":{\"a\":[1,{\"status\":\"NO\"}]},\"authorize\":{\"status\":\"OK\"},\"log\":[[1,\"x\"]]} | true",
            "{\"authorize\":{\"challenge\":\"ab\",\"status\":\"CHALL\"}}\\n\\n | false",
            "{\"authorize\":{\"status\":\"NOACC\"}} | false",
            "{\"LTS\":1} | false",
            "{\"LTS\":1,\"authorize\":{\"local\":true,\"stat\\n\\n | false",
            "{\"authorize\":{\"status\":\"OK\"}}{} | false",
            "cb({\"authorize\":{\"status\":\"OK\"}}) | false",
            "<html></html> | false",
    })
    void validWhenOneObjectWithAuthorizeStatusOk(String body, boolean valid) {
        assertThat(MistReplyStatus.isOk(body.replace("\\n", "\n").getBytes(StandardCharsets.UTF_8))).isEqualTo(valid);
    }
}
