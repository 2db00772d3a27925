package io.mistguard.proxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every jar the build shades with mistguard in it logs as mistguard's jar does. It leaves Logback's
 * SLF4J provider entry out, so that it lists mistguard's provider alone: with both listed, SLF4J warns
 * about two providers at every start. It leaves sim-mist's {@code logback.xml} out, which would make
 * mistguard's default logging stand aside. {@code FatJarLoggingIT} checks the packaged {@code mistguard.jar} itself; this checks the
 * build files, which also cover {@code bench/}'s JMH jar (built only under {@code -Pjmh}, so never
 * by {@code mvn verify}).
 */
class ShadedJarsListOneSlf4jProviderTest {

    private static final String LOGBACK = "ch.qos.logback:logback-classic";
    private static final String ENTRY = "META-INF/services/org.slf4j.spi.SLF4JServiceProvider";

    /** Regression: the JMH jar listed both providers after mistguard got its own. */
    @ParameterizedTest
    @ValueSource(strings = {"proxy/pom.xml", "bench/pom.xml"})
    void theShadeFiltersLeaveLogbacksProviderOut(String pom) throws Exception {
        assertThat(excludedFrom(pom, LOGBACK)).as("%s: the shade filter for %s", pom, LOGBACK).contains(ENTRY);
    }

    /**
     * Regression: the JMH jar packed sim-mist's {@code logback.xml}, so mistguard's default logging
     * stood aside in every benchmark JVM (as it did in mistguard's own jar before its filter).
     */
    @ParameterizedTest
    @ValueSource(strings = {"proxy/pom.xml", "bench/pom.xml"})
    void theShadeFiltersLeaveSimMistsLogbackFileOut(String pom) throws Exception {
        assertThat(excludedFrom(pom, "io.mistguard:sim-mist")).as("%s: the shade filter for sim-mist", pom)
                .contains("logback.xml");
    }

    /** What the shade filters of {@code pom} leave out of {@code artifact}. */
    private static List<String> excludedFrom(String pom, String artifact) throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(DeployFiles.ROOT.resolve(Path.of(pom)).toFile()).getDocumentElement();
        List<String> excluded = new ArrayList<>();
        NodeList filters = project.getElementsByTagName("filter");
        for (int i = 0; i < filters.getLength(); i++) {
            Element filter = (Element) filters.item(i);
            if (artifact.equals(text(filter, "artifact"))) {
                NodeList excludes = filter.getElementsByTagName("exclude");
                for (int j = 0; j < excludes.getLength(); j++) {
                    excluded.add(excludes.item(j).getTextContent().strip());
                }
            }
        }
        return excluded;
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().strip();
    }
}
