package dev.jdpo.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.model.LoadOptions;
import dev.jdpo.reference.batch.BatchLimits;
import dev.jdpo.reference.cache.ScoreCache;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceModelTest {

    @TempDir
    Path cacheDir;

    @Test
    void aFullyCachedRerunNeverLoadsTheWeights() throws Exception {
        List<IndexedPair> pairs = TestPairs.random(10, 77, 512, 10, 10);
        List<PairScore> first;
        try (ScoreCache cache = ScoreCache.open(cacheDir);
             ReferenceModel eager = ReferenceModel.load(TestPairs.tinyReference(), null, LoadOptions.cpu(), cache,
                     BatchLimits.defaults())) {
            assertTrue(eager.weightsLoaded());
            first = eager.scorer().score(pairs, false);
        }
        try (ScoreCache cache = ScoreCache.open(cacheDir);
             ReferenceModel lazy = ReferenceModel.loadLazily(TestPairs.tinyReference(), null, LoadOptions.cpu(), cache,
                     BatchLimits.defaults())) {
            List<PairScore> again = lazy.scorer().score(pairs, false);
            assertFalse(lazy.weightsLoaded(), "every pair was cached");
            for (int i = 0; i < pairs.size(); i++) {
                assertEquals(first.get(i).logProbs(), again.get(i).logProbs());
            }
            List<IndexedPair> fresh = TestPairs.random(2, 78, 512, 10, 10);
            List<PairScore> scored = lazy.scorer().score(fresh, false);
            assertTrue(lazy.weightsLoaded(), "a miss loads the weights");
            assertEquals(TinyReference.scorer().score(fresh, false).get(1).logProbs(), scored.get(1).logProbs());
        }
    }
}
