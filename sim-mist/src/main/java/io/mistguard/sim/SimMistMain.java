package io.mistguard.sim;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command-line entry point: starts a sim-mist and runs until the JVM is stopped. */
@Command(name = "sim-mist", mixinStandardHelpOptions = true,
        description = "A simulated MistServer API with fault injection.")
public final class SimMistMain implements Callable<Integer> {

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

    public static void main(String[] args) {
        System.exit(new CommandLine(new SimMistMain()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
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
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            mist.close();
            stopped.countDown();
        }, "sim-mist-shutdown"));
        System.out.println("sim-mist listening on " + host + ":" + mist.port()
                + (mist.controlPort() < 0 ? "" : ", control on " + host + ":" + mist.controlPort()));
        stopped.await();
        return 0;
    }
}
