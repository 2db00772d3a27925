package io.mistguard.proxy.reload;

import io.mistguard.proxy.config.ConfigException;
import io.mistguard.proxy.config.ProxyConfig;

/**
 * What the command line and the environment change in every reloaded file, and the checks a start
 * would make of the result: a reload of a file that the next start would refuse is refused too, so
 * that the refusal comes while the old configuration still serves, not at the next restart.
 * Called on the reload thread, one reload at a time.
 */
@FunctionalInterface
public interface ReloadOverrides {

    /**
     * @param loaded the file as loaded and validated on its own
     * @return the configuration a process started with this file would run
     * @throws ConfigException listing every problem a start with this file would refuse it for
     */
    ProxyConfig apply(ProxyConfig loaded) throws ConfigException;

    /** No flags, no environment, no further checks: the file as it loaded. */
    static ReloadOverrides none() {
        return loaded -> loaded;
    }
}
