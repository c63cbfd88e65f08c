package dev.jdpo.model;

import ai.djl.Device;
import dev.jdpo.model.lora.LoraAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The frozen base models this process holds, one copy of the weights per checkpoint, device and precision: a
 * LoRA trainer and the reference scoring its starting policy in the same JVM share one base. Each
 * {@link #load} returns a lease (a {@link CausalLM} with its own adapter and decoder state over the shared
 * weights); the weights are freed when the last lease and {@link #hold} closes. Trainable models are never
 * shared: a full fine-tune changes its weights.
 */
public final class SharedBases {

    private static final Map<Key, Entry> ENTRIES = new HashMap<>();
    private static final AtomicLong LOADS = new AtomicLong();

    /**
     * A checkpoint as loaded: its directory (symbolic links resolved), the stamp of its files, device and
     * precision.
     */
    private record Key(Path dir, String files, Device device, Precision precision) { }

    /** One shared base: loaded by its first lease, closed when its users (leases and holds) drop to zero. */
    private static final class Entry {
        private int users;
        private CausalLM base;
    }

    private SharedBases() {
    }

    /**
     * A lease on {@code modelDir}'s weights frozen on {@code options}' device and precision, loaded now unless this
     * process holds them already.
     *
     * @throws IllegalArgumentException when {@code options} ask for a trainable model
     * @throws ModelLoadException when the checkpoint cannot be loaded
     */
    public static CausalLM load(Path modelDir, LoadOptions options) throws ModelLoadException {
        if (options.trainable()) {
            throw new IllegalArgumentException("only frozen bases are shared; a trainable model loads on its own");
        }
        Key key = key(modelDir, options);
        Entry entry = join(key);
        try {
            CausalLM base;
            synchronized (entry) {
                if (entry.base == null) {
                    entry.base = CausalLM.load(modelDir, options);
                    LOADS.incrementAndGet();
                }
                base = entry.base;
            }
            return base.lease(once(() -> leave(key, entry)));
        } catch (ModelLoadException | RuntimeException e) {
            leave(key, entry);
            throw e;
        }
    }

    /**
     * A lease on the shared frozen base with {@code adapterDir}'s PEFT LoRA adapter attached to this lease alone,
     * its A and B trainable when {@code options.trainable()} (the base stays frozen either way).
     *
     * @param adapterDir the adapter directory, or null for the base alone
     */
    public static CausalLM load(Path modelDir, Path adapterDir, LoadOptions options) throws ModelLoadException {
        CausalLM lease = load(modelDir, frozen(options));
        if (adapterDir == null) {
            return lease;
        }
        try {
            lease.attachAdapter(LoraAdapter.read(adapterDir, lease, options.trainable()));
            return lease;
        } catch (ModelLoadException | RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /**
     * Keeps {@code modelDir}'s base, once a lease loads it, in memory until the returned hold closes, without
     * loading it: users that come one after the other (a reference scored before the trainer starts) then load it
     * once.
     */
    public static Hold hold(Path modelDir, LoadOptions options) throws ModelLoadException {
        Key key = key(modelDir, frozen(options));
        Entry entry = join(key);
        return new Hold(once(() -> leave(key, entry)));
    }

    /** A user of a shared base that does not load it ({@link #hold}). */
    public static final class Hold implements AutoCloseable {

        private final Runnable release;

        private Hold(Runnable release) {
            this.release = release;
        }

        @Override
        public void close() {
            release.run();
        }
    }

    /** How many times a base was read from disk since this process started (tests and benchmarks count them). */
    public static long loads() {
        return LOADS.get();
    }

    private static LoadOptions frozen(LoadOptions options) {
        return new LoadOptions(options.device(), options.precision(), false);
    }

    private static Entry join(Key key) {
        synchronized (ENTRIES) {
            Entry entry = ENTRIES.computeIfAbsent(key, k -> new Entry());
            entry.users++;
            return entry;
        }
    }

    private static void leave(Key key, Entry entry) {
        CausalLM unused = null;
        synchronized (ENTRIES) {
            entry.users--;
            if (entry.users == 0) {
                ENTRIES.remove(key);
                unused = entry.base;
            }
        }
        if (unused != null) {
            synchronized (entry) {
                unused.close();
            }
        }
    }

    private static Runnable once(Runnable action) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                action.run();
            }
        };
    }

    private static Key key(Path modelDir, LoadOptions options) throws ModelLoadException {
        try {
            Path dir = modelDir.toRealPath();
            return new Key(dir, stamp(dir), options.device(), options.precision());
        } catch (IOException e) {
            throw new ModelLoadException(modelDir + ": cannot read the model directory: " + e.getMessage(), e);
        }
    }

    /**
     * Name, size, modification time and file identity of config.json and every safetensors file: a rewritten
     * checkpoint gets a new entry. Cheaper than hashing the weights (which the reference cache does, once per
     * checkpoint): a base is looked up on every load.
     */
    private static String stamp(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(file -> {
                String name = file.getFileName().toString();
                return name.equals("config.json") || name.endsWith(".safetensors")
                        || name.endsWith(".safetensors.index.json");
            }).sorted().toList();
        }
        StringBuilder stamp = new StringBuilder();
        for (Path file : files) {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            stamp.append(file.getFileName()).append(' ').append(attributes.size()).append(' ')
                    .append(attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS)).append(' ')
                    .append(attributes.fileKey()).append('\n');
        }
        return stamp.toString();
    }
}
