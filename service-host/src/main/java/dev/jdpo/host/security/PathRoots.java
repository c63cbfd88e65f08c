package dev.jdpo.host.security;

import dev.jdpo.host.EchoLimit;
import io.grpc.Status;
import io.grpc.StatusException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Directories a service may touch, checked where the files are opened: a path is allowed when it lies under a root
 * after resolving symbolic links (of its nearest existing ancestor), so a link inside a root cannot reach outside.
 */
public final class PathRoots {

    private final List<Path> roots;

    /** @param roots the directories; empty allows nothing */
    public PathRoots(List<Path> roots) {
        this.roots = roots.stream().map(PathRoots::canonical).toList();
    }

    /** The default of every service and the orchestrator: the working directory and the user's home. */
    public static PathRoots defaults() {
        return new PathRoots(List.of(Path.of("").toAbsolutePath(), Path.of(System.getProperty("user.home"))));
    }

    /** No restriction: for in-process services whose only caller, the orchestrator, checked the paths itself. */
    public static PathRoots anywhere() {
        return new PathRoots(List.of(Path.of("/")));
    }

    public List<Path> roots() {
        return roots;
    }

    /** Whether {@code path} lies under a root. */
    public boolean contains(Path path) {
        Path real = canonical(path);
        return roots.stream().anyMatch(real::startsWith);
    }

    /**
     * The absolute, normalized {@code path} of request field {@code field}.
     *
     * @throws StatusException INVALID_ARGUMENT for a string that is not a path (a NUL byte), PERMISSION_DENIED
     *                         outside the roots; both name the field and echo the path cut short
     */
    public Path require(String field, String path) throws StatusException {
        Path parsed;
        try {
            parsed = Path.of(path).toAbsolutePath().normalize();
        } catch (InvalidPathException notAPath) {
            throw Status.INVALID_ARGUMENT.withDescription(field + ": not a valid path: " + notAPath.getReason())
                    .asException();
        }
        if (!contains(parsed)) {
            throw Status.PERMISSION_DENIED.withDescription(field + ": " + EchoLimit.value(path)
                    + " is outside this service's allowed roots").asException();
        }
        return parsed;
    }

    /** The real path of the nearest existing ancestor, plus the part that does not exist yet. */
    public static Path canonical(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(absolute));
        } catch (IOException unreadable) {
            return absolute;
        }
    }
}
