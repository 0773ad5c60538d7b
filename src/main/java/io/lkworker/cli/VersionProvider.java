package io.lkworker.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest's Implementation-Version (absent when run from target/classes). */
public final class VersionProvider implements IVersionProvider {

    public static String version() {
        String version = VersionProvider.class.getPackage().getImplementationVersion();
        return version != null ? version : "(development build)";
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "lk-worker " + version(),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
        };
    }
}
