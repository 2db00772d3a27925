package io.mistguard.proxy.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the version written into the jar's manifest at build time ({@code dev} when run from classes). */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {"mistguard " + (version == null ? "dev" : version),
                "Java " + System.getProperty("java.version")};
    }
}
