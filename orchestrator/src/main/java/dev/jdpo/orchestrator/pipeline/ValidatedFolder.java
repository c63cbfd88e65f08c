package dev.jdpo.orchestrator.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The folder {@code run-data/validated-<uuid>/} where validating a streaming run writes its store, until the run
 * adopts it. The process that writes it holds an OS lock on {@code validated-<uuid>.lock} beside it, taken before the
 * folder exists and dropped by the OS when the process dies (kill -9 included), so {@link #sweep} at start-up removes
 * the folders a killed process left and never one that a live process (another orchestrator on the same state) holds.
 */
final class ValidatedFolder implements AutoCloseable {

    private static final String PREFIX = "validated-";
    private static final String LOCK = ".lock";

    private final Path dir;
    private final Path lockFile;
    private final FileLock lock;

    private ValidatedFolder(Path dir, Path lockFile, FileLock lock) {
        this.dir = dir;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /** A new folder name under {@code runData}, locked for this process; the folder itself is not created. */
    static ValidatedFolder create(Path runData) throws IOException {
        Files.createDirectories(runData);
        String name = PREFIX + UUID.randomUUID();
        Path lockFile = runData.resolve(name + LOCK);
        FileLock lock = tryLock(lockFile);
        if (lock == null) {
            throw new IOException("cannot lock the new " + lockFile);
        }
        return new ValidatedFolder(runData.resolve(name), lockFile, lock);
    }

    Path dir() {
        return dir;
    }

    /** Removes the folders no live process holds, with their lock files; a folder that resists costs a warning. */
    static void sweep(Path runData, Consumer<String> warn) {
        if (!Files.isDirectory(runData)) {
            return;
        }
        List<Path> folders;
        try (var entries = Files.list(runData)) {
            folders = entries.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p))
                    .toList();
        } catch (IOException unreadable) {
            warn.accept("could not look for stale validated pairs in " + runData + ": " + unreadable.getMessage());
            return;
        }
        for (Path folder : folders) {
            Path lockFile = folder.resolveSibling(folder.getFileName() + LOCK);
            try {
                FileLock lock = tryLock(lockFile);
                if (lock != null) {
                    try (ValidatedFolder stale = new ValidatedFolder(folder, lockFile, lock)) {
                        delete(folder);
                    }
                }
            } catch (IOException | UncheckedIOException failed) {
                warn.accept("could not remove the stale validated pairs in " + folder + ": " + failed.getMessage());
            }
        }
    }

    /** Lets the folder go (moved to its run, or deleted): drops the lock and its file. */
    @Override
    public void close() throws IOException {
        try (FileChannel channel = lock.channel()) {
            Files.deleteIfExists(lockFile);
            lock.release();
        }
    }

    /** The file's lock, or null when another process (or this JVM) holds it. */
    private static FileLock tryLock(Path lockFile) throws IOException {
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
            }
            return lock;
        } catch (OverlappingFileLockException sameJvm) {
            channel.close();
            return null;
        }
    }

    private static void delete(Path folder) throws IOException {
        try (var files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
