package io.mistguard.proxy;

import io.mistguard.proxy.cli.RunCommand;
import picocli.CommandLine;

/** Entry point of {@code mistguard.jar}: hands the arguments to the command line parser. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(RunCommand.commandLine().execute(args));
    }
}
