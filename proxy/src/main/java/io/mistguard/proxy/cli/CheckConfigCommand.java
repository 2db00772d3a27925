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
import picocli.CommandLine.ParseResult;

/**
 * {@code mistguard [--listen HOST:PORT] [--upstream URL] [--admin-listen HOST:PORT] check-config FILE}:
 * validates a config file as a start would, with the address flags given before {@code check-config}
 * applied as a start applies them, prints the effective route table with each route's worst-case
 * latency, and checks the pre-deploy rules ({@link RouteRules}). Exit 0: fine; 1: a rule is broken
 * (each one listed); 2: the file is invalid, or the flags or the environment's {@code MISTGUARD_*}
 * variables are, as a start with them would find. {@code --config} and {@code --demo} before
 * {@code check-config} are refused (exit 2): FILE is the file checked, and a demo's upstream is its own.
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
        ProxyConfig environed = RunCommand.environment(config == null ? ProxyConfig.defaults() : config, problems,
                                                       System::getenv);
        // Found by review: the run's flags before check-config were ignored without a word, so a file
        // passed that the same command line's start refuses (e.g. --upstream pointed at --listen).
        ParseResult run = spec.commandLine().getParent().getParseResult();
        for (String flag : List.of(CommandSpecs.CONFIG, CommandSpecs.DEMO)) {
            if (run.hasMatchedOption(flag)) {
                problems.add(flag + ": not with check-config, which checks FILE as a start with it would "
                             + "run (" + (flag.equals(CommandSpecs.DEMO) ? "a demo runs its own simulated Mist"
                                                                            : "give the file as FILE") + ")");
            }
        }
        ProxyConfig flagged = RunCommand.addressFlags(environed,
                run.matchedOptionValue(CommandSpecs.LISTEN, null), run.matchedOptionValue(CommandSpecs.UPSTREAM, null),
                run.matchedOptionValue(CommandSpecs.ADMIN_LISTEN, null), problems);
        if (config != null) {
            if (flagged != environed) { // what a flag made: the file's own addresses were checked as it loaded
                problems.addAll(ConfigLoader.addressProblems(flagged));
            }
            config = flagged;
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
