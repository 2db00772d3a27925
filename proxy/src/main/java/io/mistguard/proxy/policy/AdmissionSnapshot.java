package io.mistguard.proxy.policy;

/**
 * An admission pool at one moment.
 *
 * @param name the pool's config name
 * @param inFlight slots held (requests at Mist, or granted and about to go)
 * @param queued requests waiting for a slot
 * @param rejected requests turned away because the queue was full, since start
 */
public record AdmissionSnapshot(String name, int inFlight, int queued, long rejected) {}
