package dev.jdpo.host.security;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --write-root} flag of the services that write where their callers say (a picocli mixin). */
public final class WriteRootsOptions {

    @Option(names = "--write-root", paramLabel = "DIR", description = "A directory callers may have this service write "
            + "(repeatable; default: the working directory and home); other paths get PERMISSION_DENIED.")
    List<Path> roots = new ArrayList<>();

    public PathRoots roots() {
        return roots.isEmpty() ? PathRoots.defaults() : new PathRoots(roots);
    }
}
