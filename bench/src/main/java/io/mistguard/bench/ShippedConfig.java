package io.mistguard.bench;

import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.PolicyConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The shipped {@code deploy/mistguard.yaml} (copied onto the classpath by the build), with
 * get-state's coalescing off as in {@code deploy/bench/passthrough.sh}: a benchmark that answers
 * every request at once would otherwise measure the coalescing bookkeeping of groups of one.
 */
final class ShippedConfig {

    private ShippedConfig() {
    }

    static PolicyConfig policy() {
        try (InputStream in = ShippedConfig.class.getResourceAsStream("/mistguard.yaml")) {
            if (in == null) {
                throw new IllegalStateException("mistguard.yaml is not on the classpath");
            }
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String getState = "- name: get-state\n";
            int route = yaml.indexOf(getState);
            int coalesce = yaml.indexOf("coalesce: true", route);
            if (route < 0 || coalesce < 0) {
                throw new IllegalStateException("the shipped config has no get-state route with coalesce: true");
            }
            yaml = yaml.substring(0, coalesce) + "coalesce: false" + yaml.substring(coalesce + "coalesce: true".length());
            return ConfigLoader.parse(yaml, "mistguard.yaml").policy();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
