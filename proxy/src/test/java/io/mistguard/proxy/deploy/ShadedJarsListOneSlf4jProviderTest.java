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
 * Every jar the build shades with mistguard in it leaves Logback's SLF4J provider entry out, so that
 * it lists mistguard's provider alone. With both listed, SLF4J warns about two providers at every
 * start. {@code FatJarLoggingIT} checks the packaged {@code mistguard.jar} itself; this checks the
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
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(DeployFiles.ROOT.resolve(Path.of(pom)).toFile()).getDocumentElement();
        List<String> excludedFromLogback = new ArrayList<>();
        NodeList filters = project.getElementsByTagName("filter");
        for (int i = 0; i < filters.getLength(); i++) {
            Element filter = (Element) filters.item(i);
            if (LOGBACK.equals(text(filter, "artifact"))) {
                NodeList excludes = filter.getElementsByTagName("exclude");
                for (int j = 0; j < excludes.getLength(); j++) {
                    excludedFromLogback.add(excludes.item(j).getTextContent().strip());
                }
            }
        }
        assertThat(excludedFromLogback).as("%s: the shade filter for %s", pom, LOGBACK).contains(ENTRY);
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().strip();
    }
}
