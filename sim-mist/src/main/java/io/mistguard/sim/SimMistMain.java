package io.mistguard.sim;

import io.mistguard.sim.fault.ChaosSchedule;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Command-line entry point: starts a sim-mist and runs until the JVM is stopped (or, in tests,
 * {@link #stop()} is called). {@code --port 0} binds an ephemeral port, printed at start.
 */
@Command(name = "sim-mist", mixinStandardHelpOptions = true, versionProvider = SimMistMain.Version.class,
        description = "A simulated MistServer API with fault injection.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:stopped", "1:a port could not be bound (e.g. in use)", "2:bad options"})
public final class SimMistMain implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--host", description = "address to bind (default: ${DEFAULT-VALUE})")
    String host = "127.0.0.1";
    @Option(names = "--port", description = "API port (default: ${DEFAULT-VALUE})")
    int port = 4242;
    @Option(names = "--control-port", description = "control port; -1 = none (default: ${DEFAULT-VALUE})")
    int controlPort = -1;
    @Option(names = "--scenario", description = "scenario YAML file")
    Path scenario;
    @Option(names = "--streams", description = "number of active streams")
    Integer streams;
    @Option(names = "--viewers", description = "viewer sessions per stream (default: ${DEFAULT-VALUE})")
    int viewers = 0;
    @Option(names = "--trigger-url", description = "where to send triggers")
    String triggerUrl;
    @Option(names = "--passphrase", description = "Prometheus passphrase (default: koekjes)")
    String passphrase;
    @Option(names = "--chaos-seed", description = "start chaos mode: random faults over time, planned from this seed")
    Long chaosSeed;

    /** Completes with the running sim-mist once it listens; lets a test find its ports. */
    final CompletableFuture<SimMist> started = new CompletableFuture<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    public static void main(String[] args) {
        System.exit(new CommandLine(new SimMistMain()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        SimMist mist;
        try {
            mist = start();
        } catch (BindFailure e) {
            String flag = e.port() == port ? "--port" : "--control-port";
            spec.commandLine().getErr().println("sim-mist: cannot listen on " + e.host() + ":" + e.port() + " (" + flag
                                                + "): " + e.reason());
            spec.commandLine().getErr().flush();
            return 1;
        }
        Thread hook = new Thread(() -> stop(mist), "sim-mist-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println("sim-mist listening on " + host + ":" + mist.port()
                + (mist.controlPort() < 0 ? "" : ", control on " + host + ":" + mist.controlPort()));
        started.complete(mist);
        stopped.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is what stopped us
        }
        return 0;
    }

    /** Reports the version written into the jar's manifest at build time ({@code dev} when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SimMistMain.class.getPackage().getImplementationVersion();
            return new String[] {"sim-mist " + (version == null ? "dev" : version),
                    "Java " + System.getProperty("java.version")};
        }
    }

    /** Closes the running sim-mist and lets {@link #call()} return; the shutdown hook does it too. */
    void stop() {
        stop(started.getNow(null));
    }

    private void stop(SimMist mist) {
        if (mist != null) {
            mist.close();
        }
        stopped.countDown();
    }

    /** Builds and starts a sim-mist from the parsed options. */
    SimMist start() {
        SimMistBuilder b = SimMist.builder().host(host).port(port).controlPort(controlPort);
        if (scenario != null) {
            b.scenario(scenario);
        }
        if (streams != null) {
            b.streams(streams, viewers);
        }
        if (triggerUrl != null) {
            b.triggerUrl(triggerUrl);
        }
        if (passphrase != null) {
            b.passphrase(passphrase);
        }
        SimMist mist = b.start();
        if (chaosSeed != null) {
            mist.chaos().start(ChaosSchedule.seeded(chaosSeed));
            System.out.println("sim-mist chaos mode, seed " + chaosSeed);
        }
        return mist;
    }
}
