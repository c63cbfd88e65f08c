package dev.jdpo.orchestrator.tensorboard;

import dev.jdpo.proto.internal.tensorboard.Event;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One TensorBoard event file: Event protos in TFRecord framing, named and begun the way TensorFlow's writers do
 * ({@code events.out.tfevents.<seconds>.<host>.<pid>.<n>}, first a {@code brain.Event:2} version event).
 */
final class EventFile implements AutoCloseable {

    static final String FILE_VERSION = "brain.Event:2";

    // tells apart two files this process opens in the same second
    private static final AtomicLong OPENED = new AtomicLong();
    // looked up once: a slow resolver would otherwise delay every run start
    static final String HOST = lookUpHostName();

    private final OutputStream out;
    private final TfRecordWriter records;

    private EventFile(OutputStream out) {
        this.out = out;
        this.records = new TfRecordWriter(out);
    }

    /** A new file in {@code dir} (created if absent), holding the version event stamped {@code wallTime}. */
    static EventFile create(Path dir, double wallTime) throws IOException {
        Files.createDirectories(dir);
        String name = String.format(Locale.ROOT, "events.out.tfevents.%010d.%s.%d.%d", (long) wallTime, HOST,
                ProcessHandle.current().pid(), OPENED.getAndIncrement());
        EventFile file = new EventFile(new BufferedOutputStream(Files.newOutputStream(dir.resolve(name),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)));
        file.write(Event.newBuilder().setWallTime(wallTime).setFileVersion(FILE_VERSION).build());
        return file;
    }

    /** Appends an event and flushes it, so a TensorBoard watching the directory sees it at once. */
    void write(Event event) throws IOException {
        records.write(event.toByteArray());
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private static String lookUpHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException unresolvable) {
            return "localhost";
        }
    }
}
