package dev.jdpo.tokenizer.grpc;

import dev.jdpo.tokenizer.pipeline.PairEncoder;
import dev.jdpo.tokenizer.text.TextTokenizer;
import dev.jdpo.tokenizer.text.TokenizerLoadException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Loads each model directory's tokenizer and chat template once and shares it between calls (both are thread-safe). */
public final class TokenizerRegistry implements AutoCloseable {

    private final Map<Path, PairEncoder> encoders = new ConcurrentHashMap<>();

    public PairEncoder encoder(Path modelDir) throws TokenizerLoadException {
        Path key = modelDir.toAbsolutePath().normalize();
        PairEncoder cached = encoders.get(key);
        if (cached != null) {
            return cached;
        }
        synchronized (this) {
            PairEncoder again = encoders.get(key);
            if (again != null) {
                return again;
            }
            PairEncoder loaded = new PairEncoder(TextTokenizer.load(key));
            encoders.put(key, loaded);
            return loaded;
        }
    }

    /**
     * Stops {@code work}, the pool TokenizeDataset encodes on, and frees the tokenizers once none of its threads
     * runs: a native tokenizer freed in the middle of an encode aborts the JVM. Cancelled calls stop within a row,
     * so this is quick; tokenizers still in use after {@code drain} are left to the process exit instead.
     *
     * @return whether the tokenizers were freed
     */
    public boolean closeAfter(ExecutorService work, Duration drain) {
        work.shutdownNow();
        try {
            if (!work.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
        close();
        return true;
    }

    @Override
    public synchronized void close() {
        encoders.values().forEach(e -> e.tokenizer().close());
        encoders.clear();
    }
}
