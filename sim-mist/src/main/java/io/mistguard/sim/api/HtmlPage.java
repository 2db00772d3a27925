package io.mistguard.sim.api;

import java.nio.charset.StandardCharsets;

/** The stand-in for Mist's web UI page, served for a missing or non-JSON command off the API paths. */
final class HtmlPage {

    static final byte[] BODY = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            + "<title>MistServer Management Interface</title></head>\n"
            + "<body><div id=\"mist\">Loading MistServer management interface…</div>"
            + "<script src=\"main.js\"></script></body></html>\n").getBytes(StandardCharsets.UTF_8);

    private HtmlPage() {
    }
}
