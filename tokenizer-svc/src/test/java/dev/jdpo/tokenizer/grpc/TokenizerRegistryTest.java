package dev.jdpo.tokenizer.grpc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.tokenizer.pipeline.PairEncoder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The registry frees its native tokenizers only once no worker can be inside one. */
class TokenizerRegistryTest {

    private static final Path MODEL = Path.of(System.getProperty("jdpo.repo.root"), "examples", "tiny-llama");

    @Test
    void closeAfterWaitsForTheWorkersAndKeepsTokenizersAWorkerStillHolds() throws Exception {
        TokenizerRegistry registry = new TokenizerRegistry();
        PairEncoder encoder = registry.encoder(MODEL);
        ExecutorService work = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        // a worker that ignores interrupts, like one inside a native encode
        work.execute(() -> {
            started.countDown();
            while (true) {
                try {
                    release.await();
                    return;
                } catch (InterruptedException ignoredLikeNativeCode) {
                    // keeps going, as a thread in native code would
                }
            }
        });
        assertTrue(started.await(30, TimeUnit.SECONDS));
        assertFalse(registry.closeAfter(work, Duration.ofMillis(200)), "a worker is still running");
        assertSame(encoder, registry.encoder(MODEL), "not freed under the worker");
        assertTrue(encoder.tokenizer().encode("still usable").length > 0);

        release.countDown();
        assertTrue(registry.closeAfter(work, Duration.ofSeconds(30)), "freed once the worker ended");
    }
}
