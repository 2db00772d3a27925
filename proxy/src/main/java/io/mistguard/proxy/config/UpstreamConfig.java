package io.mistguard.proxy.config;
import java.time.Duration;
public record UpstreamConfig(String host, int port, Duration connectTimeout, int maxIdleConnectionsPerThread, Duration idleTimeout, long maxResponseBytes) {}
