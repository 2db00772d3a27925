package io.mistguard.proxy.config;
public record HostPort(String host, int port) {
    public static HostPort parse(String s) { int i = s.lastIndexOf(':'); return new HostPort(s.substring(0, i), Integer.parseInt(s.substring(i + 1))); }
    @Override public String toString() { return host + ":" + port; }
}
