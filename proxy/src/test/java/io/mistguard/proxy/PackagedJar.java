package io.mistguard.proxy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The packaged {@code mistguard.jar} in a JVM of its own with the container image's memory flags,
 * for the integration tests whose subject is what the image's limits hold (direct memory above all).
 */
final class PackagedJar {

    static final Path JAR = Path.of("target", "mistguard.jar");
    /** The Dockerfile's memory flags: SerialGC, a small heap, 32 MiB of direct memory. */
    static final List<String> IMAGE_MEMORY_FLAGS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx128m",
            "-XX:MaxNewSize=16m", "-XX:MinHeapFreeRatio=20", "-XX:MaxDirectMemorySize=32m", "-XX:+ExitOnOutOfMemoryError");

    private PackagedJar() {
    }

    /** This JVM's {@code java}, to start the jar with. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java <image memory flags> -jar mistguard.jar --config <config>}. */
    static List<String> command(Path config) {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(IMAGE_MEMORY_FLAGS);
        command.addAll(List.of("-jar", JAR.toString(), "--config", config.toString()));
        return command;
    }

    /** The status of a GET of {@code uri}, or -1 if it could not be had (not listening yet). */
    static int status(HttpClient client, URI uri) {
        try {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
