package io.mistguard.proxy.cli;

import io.mistguard.proxy.config.ConfigException;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.rules.RouteRules;
import io.mistguard.proxy.config.rules.TriggerRules;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mistguard check-config FILE}: validates a config file as a start would, prints the
 * effective route table with each route's worst-case latency, and checks the pre-deploy rules
 * ({@link RouteRules}). Exit 0: fine; 1: a rule is broken (each one listed); 2: the file is invalid,
 * or the environment's {@code MISTGUARD_*} variables are, as a start with them would find.
 */
final class CheckConfigCommand implements Callable<Integer> {

    private final CommandSpec spec = CommandSpecs.checkConfig(this);

    /** This command's shape, to register under {@code mistguard}. */
    CommandSpec spec() {
        return spec;
    }

    @Override
    public Integer call() {
        Path file = spec.commandLine().getParseResult().matchedPositionalValue(0, null);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProxyConfig config;
        // The environment's problems too, as a start in this environment lists them with the file's.
        List<String> problems = new java.util.ArrayList<>();
        try {
            config = ConfigLoader.load(file);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            config = null;
        }
        RunCommand.environment(config == null ? ProxyConfig.defaults() : config, problems, System::getenv);
        if (config != null) {
            RunCommand.machine(config, problems);
        }
        if (!problems.isEmpty()) {
            err.println("mistguard: configuration refused:");
            problems.forEach(problem -> err.println("  " + problem));
            err.flush();
            return 2;
        }
        RouteReport.lines(config.policy()).forEach(out::println);
        TriggerRules.report(config.triggers()).forEach(out::println);
        List<String> failures = new java.util.ArrayList<>(RouteRules.failures(config.policy()));
        failures.addAll(TriggerRules.failures(config.triggers()));
        String exposure = config.admin().exposureProblem();
        String envToken = System.getenv("MISTGUARD_ADMIN_TOKEN");
        if (exposure != null && (envToken == null || envToken.isBlank())) {
            // The same refusal the daemon makes at start, unless the environment brings the token.
            err.println(file + ": note: without MISTGUARD_ADMIN_TOKEN, mistguard will refuse to start: " + exposure);
        }
        // The state file's directory is the running host's: a start here would refuse it.
        StateFileCheck.problem(config).ifPresent(problem -> err.println(file + ": note: a start here would be "
                                                                        + "refused: " + problem));
        // The same warnings a start under this JVM's flags gives (the image's, when run in it).
        ResourceChecks.warnings(config)
                .forEach(warning -> err.println(file + ": warning: " + warning));
        if (failures.isEmpty()) {
            out.println(file + ": OK, " + config.policy().routes().size() + " routes");
            out.flush();
            return 0;
        }
        out.flush();
        err.println(file + ": " + failures.size() + (failures.size() == 1 ? " rule" : " rules") + " broken:");
        failures.forEach(f -> err.println("  " + f));
        err.flush();
        return 1;
    }
}
