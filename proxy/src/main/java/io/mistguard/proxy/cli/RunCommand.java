package io.mistguard.proxy.cli;

import io.mistguard.proxy.ListenFailure;
import io.mistguard.proxy.Mistguard;
import io.mistguard.proxy.config.AdminConfig;
import io.mistguard.proxy.config.ConfigException;
import io.mistguard.proxy.config.ConfigLoader;
import io.mistguard.proxy.config.HostPort;
import io.mistguard.proxy.config.ProxyConfig;
import io.mistguard.proxy.config.rules.RouteRules;
import io.mistguard.proxy.net.Transport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code mistguard [--config FILE] [--listen HOST:PORT] [--upstream URL] [--admin-listen HOST:PORT] [--demo]}:
 * loads the configuration (flags override the file), runs the sidecar until SIGTERM or SIGINT, then
 * drains and exits 0. Exit status 2 means the configuration or the flags were refused (every problem
 * of both listed); 1 that a listener could not bind (one line: the address and what set it).
 */
public final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    private final CommandSpec spec = CommandSpecs.run(this, new CheckConfigCommand().spec());
    /** The signals held since {@code main} began, or null: the run then holds them itself, later. */
    private final EarlySignals heldSignals;
    private Path configFile;
    private String listen;
    private String upstream;
    private String adminListen;
    private boolean demo;

    private RunCommand(EarlySignals heldSignals) {
        this.heldSignals = heldSignals;
    }

    /** The parser for the whole jar, with the subcommands registered; signals are held from the run's start. */
    public static CommandLine commandLine() {
        return commandLine(null);
    }

    /**
     * As {@link #commandLine()}, for {@code main}: a run takes the signals over from {@code heldSignals}
     * (may be null), which {@code main} began before anything else.
     */
    public static CommandLine commandLine(EarlySignals heldSignals) {
        CommandLine cli = new CommandLine(new RunCommand(heldSignals).spec);
        CommandLine.IParameterExceptionHandler usual = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((ex, args) -> ex instanceof CommandLine.UnmatchedArgumentException unmatched
                && ex.getCommandLine() == cli ? everyProblem(cli, unmatched, args) : usual.handleParseException(ex, args));
        return cli;
    }

    /**
     * An unknown flag ends picocli's parse; so that every problem is still reported at once, the
     * other arguments are parsed and checked again without it, and all problems are listed. Exit 2.
     */
    private static int everyProblem(CommandLine cli, CommandLine.UnmatchedArgumentException unmatched, String[] args) {
        List<String> problems = new ArrayList<>();
        unmatched.getUnmatched().forEach(arg -> problems.add("Unknown option: '" + arg + "' (see --help)"));
        List<String> rest = new ArrayList<>(List.of(args));
        unmatched.getUnmatched().forEach(rest::remove);
        RunCommand probe = new RunCommand(null);
        try {
            probe.read(new CommandLine(probe.spec).parseArgs(rest.toArray(String[]::new)));
            probe.effectiveConfig();
        } catch (CommandLine.ParameterException e) {
            problems.add(e.getMessage());
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        PrintWriter err = cli.getErr();
        err.println("mistguard: configuration refused:");
        problems.forEach(problem -> err.println("  " + problem));
        err.flush();
        return 2;
    }

    /** Takes the flags' values from a parse of this command's line. */
    private void read(ParseResult parsed) {
        configFile = parsed.matchedOptionValue(CommandSpecs.CONFIG, null);
        listen = parsed.matchedOptionValue(CommandSpecs.LISTEN, null);
        upstream = parsed.matchedOptionValue(CommandSpecs.UPSTREAM, null);
        adminListen = parsed.matchedOptionValue(CommandSpecs.ADMIN_LISTEN, null);
        demo = parsed.matchedOptionValue(CommandSpecs.DEMO, false);
    }

    @Override
    public Integer call() throws Exception {
        read(spec.commandLine().getParseResult());
        PrintWriter err = spec.commandLine().getErr();
        ProxyConfig config;
        try {
            config = effectiveConfig();
        } catch (ConfigException e) {
            err.println("mistguard: configuration refused:");
            e.problems().forEach(problem -> err.println("  " + problem));
            err.flush();
            return 2;
        }
        String exposure = config.admin().exposureProblem();
        if (exposure != null) {
            err.println("mistguard: refusing to start: " + exposure);
            err.flush();
            return 2;
        }
        LogFormat.apply(config.logging().format().configName());
        // A demo without a file has nothing to reload: its SIGHUP is its terminal going away.
        boolean hangUpStops = demo && configFile == null;
        // A SIGHUP is held, not fatal, until the reload triggers take it over after start.
        EarlySignals early = heldSignals != null ? heldSignals : EarlySignals.begin();
        ShutdownSignal signal = ShutdownSignal.install(hangUpStops, early);
        if (signal.received()) { // a stop asked for while the command line and the config were read
            log.info("received {} while starting; stopping before any listener opens", signal.await());
            flushLogs();
            return 0;
        }
        ClassSharingCheck.warnIfArchiveUnused();
        try (DemoUpstream demoUpstream = demo ? DemoUpstream.start() : null;
             DemoTriggers demoTriggers = demo ? DemoTriggers.start() : null) {
            if (demoUpstream != null) {
                config = demoTriggers.apply(config.withUpstream(demoUpstream.url()));
            }
            ProxyConfig started = config;
            try (Mistguard mistguard = Mistguard.start(config, configFile, loaded -> overrides(loaded, started));
                 ReloadTriggers triggers = hangUpStops ? ReloadTriggers.none()
                                                       : ReloadTriggers.install(configFile, mistguard, early)) {
                if (demoUpstream != null) {
                    demoUpstream.printWelcome(spec.commandLine().getOut(), mistguard);
                    demoTriggers.printWelcome(spec.commandLine().getOut(), mistguard);
                }
                log.info("received {}, draining (grace {})", signal.await(), config.shutdownGrace());
            } catch (ListenFailure e) {
                err.println("mistguard: cannot listen on " + e.address() + " (" + setBy(e.key()) + "): " + e.reason());
                err.flush();
                flushLogs();
                return 1;
            } catch (java.io.UncheckedIOException e) {
                // The invalidation state file, checked above, became unreadable since: one line, not a trace.
                err.println("mistguard: cannot start: " + e.getMessage() + ": " + e.getCause());
                err.flush();
                flushLogs();
                return 1;
            }
        }
        flushLogs();
        return 0;
    }

    /**
     * The file (or the defaults) with the environment and the flags applied. Every problem of the
     * file and of every flag is reported together, not just the first one.
     */
    private ProxyConfig effectiveConfig() throws ConfigException {
        List<String> problems = new ArrayList<>();
        ProxyConfig config = ProxyConfig.defaults();
        if (configFile != null) {
            try {
                config = ConfigLoader.load(configFile);
                String warning = TokenFileCheck.warning(configFile, config.admin().requiresToken());
                if (warning != null) {
                    PrintWriter err = spec.commandLine().getErr();
                    err.println("mistguard: warning: " + warning);
                    err.flush();
                }
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        }
        ProxyConfig flagged = flags(environment(config, problems), problems);
        startProblems(flagged, problems);
        if (problems.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            ResourceChecks.warnings(flagged)
                    .forEach(warning -> err.println("mistguard: warning: " + warning));
            // check-config fails these; a start runs with them, and says so (found by review: it was silent)
            RouteRules.budget(flagged.policy())
                    .forEach(warning -> err.println("mistguard: warning: " + warning + " (check-config fails it)"));
            err.flush();
        }
        if (demo && upstream != null) {
            problems.add("--upstream: not with --demo (the demo starts its own simulated Mist and points mistguard at it)");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return flagged;
    }

    /** Which flag or config key set the address of listener {@code key}, for a listen failure. */
    private String setBy(String key) {
        if (key.equals("triggers.listen")) {
            return configFile != null ? key + " in " + configFile + " or its default (no flag sets it)"
                                      : "the default of " + key;
        }
        String flag = key.equals("admin.listen") ? "--admin-listen" : "--listen";
        if ((key.equals("admin.listen") ? adminListen : listen) != null) {
            return flag;
        }
        return configFile != null ? key + " in " + configFile + " or its default; " + flag + " overrides it"
                                  : "the default of " + key + "; change it with " + flag;
    }

    /**
     * The environment: {@code MISTGUARD_ADMIN_TOKEN} and {@code MISTGUARD_LOG_FORMAT} win over the
     * file, so a secret need not be written into it. The token is trimmed: a Secret file or an
     * {@code echo} often ends it with a newline, which no caller sends (Prometheus trims its
     * {@code credentials_file} too); a token of only whitespace is a problem, not a crash.
     */
    private static ProxyConfig environment(ProxyConfig config, List<String> problems) {
        return environment(config, problems, System::getenv);
    }

    /** {@link #environment(ProxyConfig, List)} with the variables read from {@code env}. */
    static ProxyConfig environment(ProxyConfig config, List<String> problems,
                                   java.util.function.UnaryOperator<String> env) {
        String token = env.apply("MISTGUARD_ADMIN_TOKEN");
        if (token != null && !token.isEmpty()) {
            String problem = token.isBlank() ? null : AdminConfig.tokenProblem(token.strip());
            if (token.isBlank()) {
                problems.add("MISTGUARD_ADMIN_TOKEN: only whitespace (expected: a secret, or unset for none)");
            } else if (problem != null) {
                problems.add("MISTGUARD_ADMIN_TOKEN: " + problem); // e.g. a line break inside it
            } else {
                config = config.withAdmin(config.admin().withToken(token.strip()));
            }
        }
        String format = env.apply(LogFormat.VARIABLE);
        if (format != null && !format.isBlank()) {
            try {
                config = config.withLogging(config.logging().withFormat(format.trim()));
            } catch (IllegalArgumentException e) {
                problems.add(LogFormat.VARIABLE + ": " + e.getMessage());
            }
        }
        return config;
    }

    /** What this machine cannot give the configuration: an {@code io_transport} it cannot run. */
    static void machine(ProxyConfig config, List<String> problems) {
        String transport = Transport.unavailability(config.ioTransport());
        if (transport != null) {
            problems.add(transport);
        }
    }

    /**
     * What a start refuses in a configuration with the environment and the flags applied, beyond the
     * file's own rules (checked as it loaded): an address a flag made that loops or collides, an
     * {@code io_transport} this machine cannot run, a state file mistguard cannot keep.
     */
    private static void startProblems(ProxyConfig flagged, List<String> problems) {
        problems.addAll(ConfigLoader.addressProblems(flagged)); // what a flag made: the file's own were checked
        problems.addAll(RouteRules.unsafe(flagged.policy())); // check-config's rules that make mistguard lie
        machine(flagged, problems);
        StateFileCheck.problem(flagged).ifPresent(problems::add);
    }

    /**
     * A reloaded file as the running process sees it: environment, flags and the demo upstream
     * applied. Refused ({@link ConfigException}) when the next start with it would be: found by
     * review, a reload whose {@code upstream.url} met {@code --listen}'s address was applied with
     * {@code upstream.url} listed as needing a restart, and that restart then refused to start.
     */
    private ProxyConfig overrides(ProxyConfig loaded, ProxyConfig started) throws ConfigException {
        List<String> problems = new ArrayList<>(); // the flags were checked at start; they cannot fail now
        ProxyConfig config = flags(environment(loaded, problems), problems);
        startProblems(config, problems);
        String exposure = config.admin().exposureProblem();
        if (exposure != null) {
            problems.add(exposure);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.stream().map(p -> "a start with this file would be refused: " + p)
                                              .toList());
        }
        config = demo ? config.withUpstream("http://" + started.upstream().host() + ":" + started.upstream().port())
                              .withTriggers(started.triggers())
                      : config;
        // The routes' cache bounds apply at once; the rest at the next start, which will say the same.
        ResourceChecks.warnings(config).forEach(warning -> log.warn("reloaded config: {}", warning));
        RouteRules.budget(config.policy())
                .forEach(warning -> log.warn("reloaded config: {} (check-config fails it)", warning));
        return config;
    }

    /** Applies every flag that parses; adds one problem per flag that does not. */
    private ProxyConfig flags(ProxyConfig config, List<String> problems) {
        return addressFlags(config, listen, upstream, adminListen, problems);
    }

    /**
     * Applies {@code --listen}, {@code --upstream} and {@code --admin-listen} (each null when not given)
     * as a start does; adds one problem per value that does not parse. Also for {@code check-config},
     * which checks a file with the flags a start would add to it.
     */
    static ProxyConfig addressFlags(ProxyConfig config, String listen, String upstream, String adminListen,
                                    List<String> problems) {
        if (listen != null) {
            HostPort address = parseHostPort(CommandSpecs.LISTEN, listen, problems);
            config = address == null ? config : config.withListen(address);
        }
        if (upstream != null) {
            try {
                config = config.withUpstream(upstream);
            } catch (IllegalArgumentException e) {
                problems.add(CommandSpecs.UPSTREAM + ": " + e.getMessage());
            }
        }
        if (adminListen != null) {
            HostPort address = parseHostPort(CommandSpecs.ADMIN_LISTEN, adminListen, problems);
            config = address == null ? config : config.withAdminListen(address);
        }
        return config;
    }

    private static HostPort parseHostPort(String flag, String value, List<String> problems) {
        try {
            return HostPort.parse(value);
        } catch (IllegalArgumentException e) {
            problems.add(flag + ": " + e.getMessage());
            return null;
        }
    }

    /** Stops Logback, which drains the asynchronous access-log queue: the last lines are not lost at exit. */
    private static void flushLogs() {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            context.stop();
        }
    }
}
