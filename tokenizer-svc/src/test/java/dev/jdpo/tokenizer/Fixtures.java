package dev.jdpo.tokenizer;

import dev.jdpo.tokenizer.text.TextTokenizer;
import dev.jdpo.tokenizer.text.TokenizerLoadException;
import java.nio.file.Path;

/** Paths of the checked-in fixtures and one shared tokenizer for the module's tests. */
public final class Fixtures {

    public static final Path ROOT = Path.of(System.getProperty("jdpo.repo.root", ".."));
    public static final Path MODEL = ROOT.resolve("examples/tiny-llama");
    public static final Path DATA = ROOT.resolve("examples/data");

    private static TextTokenizer tokenizer;

    private Fixtures() {
    }

    /** Loaded once per test JVM; native tokenizers are cheap to share and closed at exit. */
    public static synchronized TextTokenizer tokenizer() throws TokenizerLoadException {
        if (tokenizer == null) {
            tokenizer = TextTokenizer.load(MODEL);
        }
        return tokenizer;
    }
}
