package io.mistguard.proxy.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The command line's shape — names, flags, help text, exit statuses — built with picocli's
 * programmatic API rather than its annotations, because every start pays for the annotations:
 * picocli reads them by reflection and the JVM makes a proxy class for each annotation type, ~15%
 * of the main thread's CPU before mistguard is ready (async-profiler from JVM start, one core,
 * {@code deploy/bench/startup.sh}'s flags, 2026-12-07). Help, version and errors print as they did
 * with the annotations. Not thread-safe; build one per parse.
 */
final class CommandSpecs {

    static final String CONFIG = "--config";
    static final String LISTEN = "--listen";
    static final String UPSTREAM = "--upstream";
    static final String ADMIN_LISTEN = "--admin-listen";
    static final String DEMO = "--demo";

    private CommandSpecs() {
    }

    /** {@code mistguard}: the sidecar itself, which runs {@code command}, with {@code checkConfig} under it. */
    static CommandSpec run(Callable<Integer> command, CommandSpec checkConfig) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name("mistguard");
        spec.usageMessage().description("A resilience sidecar for MistServer's HTTP API: callers talk to "
                + "mistguard, mistguard talks to Mist.", "");
        spec.addOption(option(CONFIG, "FILE", Path.class, "YAML configuration file (default: built-in defaults)"));
        spec.addOption(option(LISTEN, "HOST:PORT", String.class, "where callers connect (default 127.0.0.1:4243)"));
        spec.addOption(option(UPSTREAM, "URL", String.class, "Mist's API (default http://127.0.0.1:4242)"));
        spec.addOption(option(ADMIN_LISTEN, "HOST:PORT", String.class, "admin listener (default 127.0.0.1:4244)"));
        spec.addOption(OptionSpec.builder(DEMO).type(boolean.class)
                .description("also start a simulated Mist in-process and point mistguard at it").build());
        standard(spec, exitCodes("0", "stopped cleanly (SIGTERM/SIGINT)", "1", "failed at run time (e.g. port in use)",
                                 "2", "bad configuration or flags"));
        spec.addSubcommand("check-config", checkConfig);
        return spec;
    }

    /** {@code mistguard check-config FILE}; runs {@code command}. */
    static CommandSpec checkConfig(Callable<Integer> command) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name("check-config");
        spec.usageMessage().description("Validate a config file and print each route's worst-case latency "
                + "(queue wait + attempts x per-try timeout + backoff, cut by the route's timeout).", "");
        spec.addPositional(PositionalParamSpec.builder().paramLabel("FILE").type(Path.class).arity("1").required(true)
                .description("the YAML configuration file to check").build());
        standard(spec, exitCodes("0", "the file is valid and every route passes", "1", "a route breaks a rule",
                                 "2", "the file is invalid"));
        return spec;
    }

    private static OptionSpec option(String name, String label, Class<?> type, String description) {
        return OptionSpec.builder(name).paramLabel(label).type(type).description(description).build();
    }

    /** What picocli's {@code mixinStandardHelpOptions} adds, and the usage layout both commands share. */
    private static void standard(CommandSpec spec, Map<String, String> exitCodes) {
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        spec.versionProvider(new VersionProvider());
        spec.usageMessage().sortOptions(false).autoWidth(true)
                .exitCodeListHeading("%nExit status:%n").exitCodeList(exitCodes);
    }

    private static Map<String, String> exitCodes(String... codeAndMeaning) {
        Map<String, String> codes = new LinkedHashMap<>();
        for (int i = 0; i < codeAndMeaning.length; i += 2) {
            codes.put(codeAndMeaning[i], codeAndMeaning[i + 1]);
        }
        return codes;
    }
}
