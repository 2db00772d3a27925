package io.mistguard.proxy.config;
public record AdminConfig(HostPort listen) {}
