package io.mistguard.proxy.soak;

/** The soak cannot go on (mistguard did not come back, or stopped answering); what it found so far is reported. */
final class SoakAborted extends Exception {

    private static final long serialVersionUID = 1L;

    SoakAborted(String why) {
        super(why);
    }
}
