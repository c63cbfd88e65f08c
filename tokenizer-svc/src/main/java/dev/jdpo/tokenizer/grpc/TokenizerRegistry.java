package dev.jdpo.tokenizer.grpc;

import dev.jdpo.tokenizer.pipeline.PairEncoder;
import dev.jdpo.tokenizer.text.TextTokenizer;
import dev.jdpo.tokenizer.text.TokenizerLoadException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    @Override
    public synchronized void close() {
        encoders.values().forEach(e -> e.tokenizer().close());
        encoders.clear();
    }
}
