package dev.jdpo.reference;

import dev.jdpo.model.logprob.PairLogProbs;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.model.logprob.SequenceScore;
import dev.jdpo.model.logprob.TokenSequence;
import dev.jdpo.reference.batch.BatchLimits;
import dev.jdpo.reference.batch.LengthBucketPlanner;
import dev.jdpo.reference.cache.CacheKeys;
import dev.jdpo.reference.cache.ScoreCache;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scores pairs with a local reference model: cache first, then the misses in length-bucketed, token-budgeted
 * forward passes, and the new numbers back into the cache. A pair's numbers do not depend on which other pairs
 * share its batch: sequences are right-padded and the padding is masked.
 */
public final class LocalReferenceScorer implements PairScorer {

    private final SequenceBatchScorer model;
    private final ScoreCache cache;
    private final ReferenceIdentity identity;
    private final LengthBucketPlanner planner;
    private final int maxSequenceTokens;
    private final AtomicLong pairsRequested = new AtomicLong();
    private final AtomicLong forwardPasses = new AtomicLong();
    private final AtomicLong sequencesScored = new AtomicLong();
    private final AtomicLong realTokens = new AtomicLong();
    private final AtomicLong paddedTokens = new AtomicLong();

    public LocalReferenceScorer(SequenceBatchScorer model, ScoreCache cache, ReferenceIdentity identity,
                                BatchLimits limits) {
        this.model = model;
        this.cache = cache;
        this.identity = identity;
        this.planner = new LengthBucketPlanner(limits);
        this.maxSequenceTokens = limits.maxSequenceTokens();
    }

    @Override
    public List<PairScore> score(List<IndexedPair> pairs, boolean perToken) {
        pairsRequested.addAndGet(pairs.size());
        PairScore[] results = new PairScore[pairs.size()];
        // pairs with equal ids share one key and are scored once
        Map<ByteBuffer, List<Integer>> misses = new LinkedHashMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            IndexedPair pair = pairs.get(i);
            validate(pair);
            byte[] key = key(pair);
            Optional<PairLogProbs> cached = cache.lookup(identity.weightsFingerprint(), key, perToken);
            if (cached.isPresent()) {
                results[i] = new PairScore(pair.index(), cached.get(), true);
            } else {
                misses.computeIfAbsent(ByteBuffer.wrap(key), k -> new ArrayList<>()).add(i);
            }
        }
        if (!misses.isEmpty()) {
            scoreMisses(pairs, misses, perToken, results);
        }
        return Arrays.asList(results);
    }

    /** Counters since creation, with the cache's. */
    public ScorerStats stats() {
        return new ScorerStats(pairsRequested.get(), forwardPasses.get(), sequencesScored.get(), realTokens.get(),
                paddedTokens.get(), cache.stats());
    }

    /** The reference these numbers belong to. */
    public ReferenceIdentity identity() {
        return identity;
    }

    private void scoreMisses(List<IndexedPair> pairs, Map<ByteBuffer, List<Integer>> misses, boolean perToken,
                             PairScore[] results) {
        List<ByteBuffer> keys = new ArrayList<>(misses.keySet());
        // sequence 2k is pair k's prompt+chosen, 2k+1 its prompt+rejected
        List<TokenSequence> sequences = new ArrayList<>(2 * keys.size());
        for (ByteBuffer key : keys) {
            PairTokens pair = pairs.get(misses.get(key).get(0)).tokens();
            sequences.add(pair.chosen());
            sequences.add(pair.rejected());
        }
        int[] lengths = sequences.stream().mapToInt(TokenSequence::length).toArray();
        SequenceScore[] scores = new SequenceScore[sequences.size()];
        for (int[] batch : planner.plan(lengths)) {
            List<TokenSequence> batchSequences = new ArrayList<>(batch.length);
            for (int i : batch) {
                batchSequences.add(sequences.get(i));
            }
            List<SequenceScore> batchScores = model.scoreBatch(batchSequences, perToken);
            for (int j = 0; j < batch.length; j++) {
                scores[batch[j]] = batchScores.get(j);
                realTokens.addAndGet(lengths[batch[j]]);
            }
            forwardPasses.incrementAndGet();
            sequencesScored.addAndGet(batch.length);
            paddedTokens.addAndGet(LengthBucketPlanner.paddedTokens(lengths, batch));
        }
        for (int k = 0; k < keys.size(); k++) {
            PairLogProbs logProbs = pairLogProbs(scores[2 * k], scores[2 * k + 1], perToken);
            cache.store(identity.weightsFingerprint(), keys.get(k).array(), logProbs);
            for (int position : misses.get(keys.get(k))) {
                results[position] = new PairScore(pairs.get(position).index(), logProbs, false);
            }
        }
    }

    private static PairLogProbs pairLogProbs(SequenceScore chosen, SequenceScore rejected, boolean perToken) {
        return new PairLogProbs(chosen.logp(), rejected.logp(), chosen.tokens(), rejected.tokens(),
                perToken ? chosen.tokenLogps() : null, perToken ? rejected.tokenLogps() : null);
    }

    private byte[] key(IndexedPair pair) {
        PairTokens tokens = pair.tokens();
        return CacheKeys.key(identity, tokens.promptIds(), tokens.chosenIds(), tokens.rejectedIds());
    }

    private void validate(IndexedPair pair) {
        PairTokens tokens = pair.tokens();
        // the logit at t scores token t+1, so the first completion token needs at least one prompt token before it
        if (tokens.promptIds().length == 0) {
            throw new InvalidPairException(where(pair) + ": prompt_ids is empty; the first completion token "
                    + "needs a prompt token before it to be scored");
        }
        if (tokens.chosenIds().length == 0) {
            throw new InvalidPairException(where(pair) + ": chosen_ids is empty");
        }
        if (tokens.rejectedIds().length == 0) {
            throw new InvalidPairException(where(pair) + ": rejected_ids is empty");
        }
        tokens.overLength(maxSequenceTokens, false).ifPresent(tooLong -> {
            throw new InvalidPairException(where(pair) + ": " + tooLong + "; this reference service scores at most "
                    + maxSequenceTokens + " per sequence");
        });
        int vocab = model.vocabSize();
        tokens.firstIdOutside(vocab).ifPresent(bad -> {
            throw new InvalidPairException(where(pair) + ": " + bad.side() + "_ids[" + bad.position() + "] = "
                    + bad.id() + " is outside the reference vocabulary [0, " + vocab + ")");
        });
    }

    private static String where(IndexedPair pair) {
        return "pair " + pair.index() + (pair.sourceLine() > 0 ? " (source line " + pair.sourceLine() + ")" : "");
    }
}
