package io.mistguard.proxy.server;

/**
 * User event fired at every client connection when the proxy starts shutting down: an idle
 * connection closes at once, a busy one after its current response (sent with
 * {@code Connection: close}).
 */
final class DrainEvent {

    static final DrainEvent INSTANCE = new DrainEvent();

    private DrainEvent() {
    }
}
