package io.mistguard.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mistguard.proxy.config.LoggingConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which log format is in force: {@code MISTGUARD_LOG_FORMAT} when set, else the file's
 * {@code logging.format}. (What the json format writes: {@code server/JsonLogFormatTest}.)
 */
class LogFormatTest {

    @ParameterizedTest(name = "file {0}, environment [{1}] -> {2}")
    @CsvSource(nullValues = "null", value = {
        "TEXT, null, text",
        "JSON, null, json",
        "TEXT, json, json",
        "JSON, text, text",
        "JSON, '  ', json",
    })
    void theEnvironmentWinsOverTheFile(LoggingConfig.Format file, String environment, String expected) {
        assertThat(LogFormat.effective(new LoggingConfig(true, file), environment)).isEqualTo(expected);
    }
}
