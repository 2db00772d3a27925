package io.mistguard.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.NodeList;

/**
 * Issue 16: the status page as shipped runs under its Content-Security-Policy without exceptions —
 * no inline script, no event-handler attribute, no inline style, nothing loaded from elsewhere — and
 * its script keeps the admin token in memory only. The HTML is written as well-formed markup
 * (polyglot HTML), so the JDK's XML parser reads it here without a parser dependency; markup that is
 * not well-formed fails this test.
 */
class StatusPageMarkupTest {

    private static Document page;
    private static String script;
    private static String style;

    @BeforeAll
    static void parse() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        byte[] html = read("index.html").getBytes(StandardCharsets.UTF_8);
        page = factory.newDocumentBuilder().parse(new ByteArrayInputStream(html));
        script = read("status.js");
        style = read("status.css");
    }

    private static String read(String name) throws IOException {
        try (InputStream in = StatusPage.class.getResourceAsStream("/io/mistguard/proxy/admin/status/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<Element> elements() {
        NodeList all = page.getElementsByTagName("*");
        List<Element> list = new ArrayList<>();
        for (int i = 0; i < all.getLength(); i++) {
            list.add((Element) all.item(i));
        }
        return list;
    }

    @Test
    void theOnlyScriptIsTheListenersOwnFileAndEmpty() {
        List<Element> scripts = elements().stream().filter(e -> e.getTagName().equals("script")).toList();

        assertThat(scripts).hasSize(1);
        assertThat(scripts.get(0).getAttribute("src")).isEqualTo(StatusPage.ASSETS + "status.js");
        assertThat(scripts.get(0).getTextContent()).as("no inline code").isBlank();
    }

    @Test
    void noElementCarriesCodeOrStyleInAnAttribute() {
        for (Element element : elements()) {
            NamedNodeMap attributes = element.getAttributes();
            for (int i = 0; i < attributes.getLength(); i++) {
                Attr attribute = (Attr) attributes.item(i);
                String name = attribute.getName().toLowerCase();
                assertThat(name).as("<%s %s>", element.getTagName(), name).doesNotStartWith("on").isNotEqualTo("style");
                assertThat(attribute.getValue().trim().toLowerCase()).as("<%s %s>", element.getTagName(), name)
                        .doesNotStartWith("javascript:");
            }
        }
        assertThat(elements()).noneMatch(e -> e.getTagName().equals("style") || e.getTagName().equals("iframe")
                                              || e.getTagName().equals("object") || e.getTagName().equals("embed"));
    }

    @Test
    void everythingItLoadsComesFromTheListenerItself() {
        for (Element element : elements()) {
            for (String attribute : List.of("src", "href", "action")) {
                String url = element.getAttribute(attribute);
                if (url.isEmpty()) {
                    continue;
                }
                assertThat(url.equals("data:,") || url.startsWith(StatusPage.ASSETS))
                        .as("<%s %s=%s>: the page's own files only (an empty data: icon aside)", element.getTagName(),
                            attribute, url).isTrue();
            }
        }
        assertThat(style).doesNotContain("@import").doesNotContain("url(");
        assertThat(script).doesNotContain("http://").doesNotContain("https://").doesNotContain("//cdn");
    }

    @Test
    void theScriptKeepsTheTokenInMemoryAndWritesTextOnly() {
        assertThat(script).doesNotContain("localStorage").doesNotContain("sessionStorage")
                .doesNotContain("document.cookie").doesNotContain("indexedDB");
        assertThat(script).as("markup sinks (Trusted Types would refuse them anyway)")
                .doesNotContain("innerHTML").doesNotContain("outerHTML").doesNotContain("insertAdjacentHTML")
                .doesNotContain("document.write").doesNotContain("eval(").doesNotContain("new Function");
        assertThat(script).contains("'Bearer ' + token");
    }
}
