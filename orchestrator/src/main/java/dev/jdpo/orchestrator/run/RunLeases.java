package dev.jdpo.orchestrator.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which unfinished runs a live process works on, among the jdpo processes sharing one state directory (a sweep of
 * {@code jdpo train} beside {@code jdpo serve orchestrator}): an OS lock on {@code run-leases/<run id>.lock}, held
 * while this process validates, queues or trains the run. The OS drops it when the process dies (kill -9 included),
 * so an orchestrator's start-up resumes only the runs no live process holds, rather than training one twice.
 */
public final class RunLeases implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunLeases.class);

    private final Path dir;
    private final Map<String, FileLock> held = new HashMap<>();

    public RunLeases(Path stateDir) {
        this.dir = stateDir.resolve("run-leases");
    }

    /** Takes the run for this process; false when another live process holds it. */
    public synchronized boolean acquire(String runId) {
        if (held.containsKey(runId)) {
            return true;
        }
        FileLock lock = tryLock(runId);
        if (lock == null) {
            return false;
        }
        held.put(runId, lock);
        return true;
    }

    /** Whether another live process holds the run. */
    public synchronized boolean heldElsewhere(String runId) {
        if (held.containsKey(runId)) {
            return false;
        }
        FileLock probe = tryLock(runId);
        if (probe == null) {
            return true;
        }
        unlock(runId, probe);
        return false;
    }

    /** Lets the run go (it finished here, or this process stops working on it); no-op when not held. */
    public synchronized void release(String runId) {
        FileLock lock = held.remove(runId);
        if (lock != null) {
            unlock(runId, lock);
        }
    }

    @Override
    public synchronized void close() {
        for (String runId : List.copyOf(held.keySet())) {
            release(runId);
        }
    }

    /** The run's lock, or null when another process (or another RunLeases of this JVM) holds it. */
    private FileLock tryLock(String runId) {
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(runId + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
            }
            return lock;
        } catch (OverlappingFileLockException sameJvm) {
            closeQuietly(channel);
            return null;
        } catch (IOException cannotLock) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock the lease of run " + runId + " in " + dir, cannotLock);
        }
    }

    /** Closes the lock's channel; the empty file stays, since deleting it could let two processes lock two files. */
    private static void unlock(String runId, FileLock lock) {
        try {
            lock.channel().close();
        } catch (IOException e) {
            LOG.debug("cannot close the lease of run {}: {}", runId, e.getMessage());
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was locked through it
        }
    }
}
