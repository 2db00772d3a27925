package io.mistguard.proxy.reload;

import java.util.List;

/**
 * What one reload did, for the log and the {@code POST /admin/reload} answer. Immutable.
 *
 * @param applied whether the new route table is now in force
 * @param problems why the file was refused (positioned, as at start); empty when applied
 * @param restartNeeded settings that changed but only take effect on a restart (listen addresses,
 *                      upstream, limits, ...); they keep their running values meanwhile
 */
public record ReloadOutcome(boolean applied, List<String> problems, List<String> restartNeeded) {

    public ReloadOutcome {
        problems = List.copyOf(problems);
        restartNeeded = List.copyOf(restartNeeded);
    }

    static ReloadOutcome refused(List<String> problems) {
        return new ReloadOutcome(false, problems, List.of());
    }
}
