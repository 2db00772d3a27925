package io.mistguard.proxy.config;
import java.time.Duration;
public record LimitsConfig(int maxInitialLineBytes, int maxHeaderBytes, long maxBodyBytes, int maxConnections, Duration clientIdleTimeout) {}
