/**
 * WebSocket upgrades passed through to Mist: the web UI's live view ({@code GET /ws}, mist-api.md §8)
 * over a dedicated connection per caller, switched to a byte relay after Mist's 101.
 *
 * <p>{@link io.mistguard.proxy.server.tunnel.UpgradeTunnel} is the entry point the client
 * connection's last handler calls; {@link io.mistguard.proxy.server.tunnel.TunnelSettings} says where
 * Mist is and how long each phase may take. The package uses the server's edge vocabulary
 * ({@code ProxyResponses}, {@code Decision}, {@code AnswerHeaders}, {@code Transport}) and the upstream failure kinds
 * ({@code UpstreamFailure}), and nothing from routing, policies or the cache: a tunnel is neither
 * routed, nor retried, nor cached, and never uses the shared upstream pool.
 */
package io.mistguard.proxy.server.tunnel;
