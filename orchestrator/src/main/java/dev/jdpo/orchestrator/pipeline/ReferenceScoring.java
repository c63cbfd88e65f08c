package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.logprob.PairTokens;
import dev.jdpo.orchestrator.run.RunFailure;
import dev.jdpo.orchestrator.run.RunReporter;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.reference.IndexedPair;
import dev.jdpo.reference.InvalidPairException;
import dev.jdpo.reference.PairScore;
import dev.jdpo.reference.PairScorer;
import dev.jdpo.reference.ReferenceLoadException;
import dev.jdpo.reference.ReferenceModel;
import dev.jdpo.reference.ScorerStats;
import dev.jdpo.reference.batch.BatchLimits;
import dev.jdpo.reference.cache.ScoreCache;
import dev.jdpo.reference.pool.PoolOptions;
import dev.jdpo.reference.pool.ReferencePool;
import dev.jdpo.reference.pool.ReferenceUnavailableException;
import dev.jdpo.tokenizer.pipeline.EncodedPair;
import dev.jdpo.trainer.data.TrainingPair;
import io.grpc.ChannelCredentials;
import java.io.IOException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Attaches frozen-model log-probs to pairs through {@code ReferenceService} calls: to the reference replicas at
 * {@code services.reference_addresses}, or to a reference model with the persistent score cache that this process
 * serves itself ({@link InProcessReference}); to every pair before training
 * ({@link #attach}, in chunks so a stop request is honoured between them), or to pairs as a run streams them
 * ({@link #withScorer}).
 */
final class ReferenceScoring {

    /** Pairs scored per step of {@link #attach}, between which a stop request is honoured. */
    static final int CHUNK_PAIRS = 256;
    // progress events are stored with the run: the first and last chunk, and one every few seconds between,
    // not one per chunk of a large dataset
    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** Held while a run scores in this process: the cache file is open once. A waiting run still sees a stop. */
    private static final ReentrantLock IN_PROCESS_CACHE = new ReentrantLock();

    private ReferenceScoring() {
    }

    /** The tokenizer's pair as the reference scores it and the trainer trains it. */
    static PairTokens tokens(EncodedPair pair) {
        return new PairTokens(pair.promptIds(), pair.chosenIds(), pair.rejectedIds());
    }

    /** The pairs with reference scores, or empty when a stop was requested part-way. */
    static Optional<List<TrainingPair>> attach(RunConfig config, List<EncodedPair> pairs, boolean perToken,
                                               Path cacheDir, ChannelCredentials credentials, RunReporter reporter)
            throws RunFailure, InterruptedException {
        return withScorer(config, cacheDir, credentials, reporter, true,
                scorer -> score(scorer, pairs, perToken, reporter));
    }

    /** Work done with an open scorer; empty when a stop was requested part-way. */
    interface ScorerUse<T> {
        Optional<T> apply(Scorer scorer) throws RunFailure, InterruptedException;
    }

    /**
     * Opens the run's reference (the replicas, or the model and cache in this process), hands it to {@code use}
     * and closes it. In this process the cache file is held meanwhile, so concurrent runs score in turn; one
     * waiting for its turn gets empty on a stop.
     *
     * @param countersAsMetrics report the scorer's counters as step-0 run metrics once {@code use} finished; only
     *                          before training, since a metrics report sets the run's step
     */
    static <T> Optional<T> withScorer(RunConfig config, Path cacheDir, ChannelCredentials credentials,
                                      RunReporter reporter, boolean countersAsMetrics, ScorerUse<T> use)
            throws RunFailure, InterruptedException {
        List<String> replicas = config.getServices().getReferenceAddressesList();
        if (!replicas.isEmpty()) {
            try (ReferencePool pool = ReferencePool.connect(String.join(",", replicas),
                    poolOptions(ServiceRetries.of(config.getServices())), credentials)) {
                reporter.info("Scoring reference log-probs on " + replicas.size() + " replica(s): " + replicas);
                Scorer scorer = new Scorer(pool, "");
                Optional<T> result = use.apply(scorer);
                if (result.isPresent() && countersAsMetrics) {
                    reporter.metrics(0, 0, 0, Map.of(
                            "reference/cache_hits", (double) scorer.cacheHits(),
                            "reference/cache_misses", (double) (scorer.pairs() - scorer.cacheHits()),
                            "reference/replicas", (double) replicas.size(),
                            "reference/batches_moved", (double) pool.stats().moved()));
                }
                return result;
            } catch (UnknownHostException unknown) {
                throw new RunFailure("service_unavailable", "services.reference_addresses: unknown host "
                        + unknown.getMessage(), "services.reference_addresses");
            }
        }
        while (!IN_PROCESS_CACHE.tryLock(ServiceRetries.STOP_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            if (reporter.stopRequested()) {
                return Optional.empty();
            }
        }
        try {
            return scoreInProcess(config, cacheDir, reporter, countersAsMetrics, use);
        } finally {
            IN_PROCESS_CACHE.unlock();
        }
    }

    /** The pool retries a batch as often and as patiently as the other services are retried. */
    private static PoolOptions poolOptions(ServiceRetries retries) {
        PoolOptions defaults = PoolOptions.defaults();
        Duration backoff = Duration.ofMillis(retries.backoffMillis());
        return new PoolOptions(defaults.pairsPerCall(), defaults.callsPerReplica(), defaults.moveAfter(),
                defaults.callDeadline(), backoff, backoff.compareTo(defaults.maxBackoff()) > 0 ? backoff
                : defaults.maxBackoff(), retries.attempts() + 1);
    }

    private static <T> Optional<T> scoreInProcess(RunConfig config, Path cacheDir, RunReporter reporter,
                                                  boolean countersAsMetrics, ScorerUse<T> use)
            throws RunFailure, InterruptedException {
        boolean startingPolicy = config.getModel().getReference().isEmpty();
        String referenceDir = startingPolicy ? config.getModel().getPolicy() : config.getModel().getReference();
        // under LoRA the starting policy is the base plus the adapter the run continues (none for a new one); it
        // is scored here, before training loads the policy, so the base is never held twice at once
        String adapter = startingPolicy ? config.getTraining().getLora().getAdapter() : "";
        Path adapterDir = adapter.isEmpty() ? null : Path.of(adapter);
        String field = !startingPolicy ? "model.reference" : adapterDir != null ? "training.lora.adapter"
                : "model.policy";
        BatchLimits limits = new BatchLimits(BatchLimits.defaults().maxTokens(),
                config.getTraining().getReferenceBatchSize());
        // lazily: a rerun whose pairs are all cached never loads the reference weights
        try (ScoreCache cache = ScoreCache.open(cacheDir);
             ReferenceModel reference = ReferenceModel.loadLazily(Path.of(referenceDir), adapterDir,
                     Devices.loadOptions(config.getModel(), false), cache, limits);
             InProcessReference service = new InProcessReference(reference)) {
            reporter.info("Scoring reference log-probs in-process with " + referenceDir
                    + (adapterDir == null ? "" : " + adapter " + adapterDir));
            Optional<T> result = use.apply(new Scorer(service.pool(), field));
            if (result.isPresent() && countersAsMetrics) {
                reporter.metrics(0, 0, 0, inProcessMetrics(reference));
            }
            return result;
        } catch (ModelLoadException unloadable) {
            throw new RunFailure("invalid_model", field + ": " + unloadable.getMessage(), field);
        } catch (IOException unreadable) {
            throw new RunFailure("reference_cache", "reference scoring failed: " + unreadable.getMessage(), "");
        }
    }

    /**
     * The scorer's counters as step-0 run metrics: a rerun over cached pairs shows zero forward passes and the
     * weights never loaded.
     */
    private static Map<String, Double> inProcessMetrics(ReferenceModel reference) {
        ScorerStats stats = reference.scorer().stats();
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("reference/forward_passes", (double) stats.forwardPasses());
        values.put("reference/sequences_scored", (double) stats.sequencesScored());
        values.put("reference/padding_fraction", stats.paddingFraction());
        values.put("reference/weights_loaded", reference.weightsLoaded() ? 1.0 : 0.0);
        values.put("reference/cache_hits", (double) stats.cache().hits());
        values.put("reference/cache_misses", (double) stats.cache().misses());
        values.put("reference/cache_corrupt", (double) stats.cache().corrupt());
        values.put("reference/cache_entries", (double) stats.cache().entries());
        values.put("reference/cache_bytes", (double) stats.cache().fileBytes());
        return values;
    }

    private static Optional<List<TrainingPair>> score(Scorer scorer, List<EncodedPair> pairs, boolean perToken,
                                                      RunReporter reporter) throws RunFailure {
        List<TrainingPair> scored = new ArrayList<>(pairs.size());
        long lastReport = System.nanoTime();
        for (int start = 0; start < pairs.size(); start += CHUNK_PAIRS) {
            if (reporter.stopRequested()) {
                return Optional.empty();
            }
            List<EncodedPair> chunk = pairs.subList(start, Math.min(pairs.size(), start + CHUNK_PAIRS));
            scored.addAll(scorer.score(chunk, start, perToken));
            long now = System.nanoTime();
            boolean firstOrLast = start == 0 || scored.size() == pairs.size();
            if (firstOrLast || now - lastReport >= PROGRESS_INTERVAL_NANOS) {
                lastReport = now;
                reporter.info("Reference log-probs: " + scored.size() + "/" + pairs.size() + " pairs ("
                        + scorer.cacheHits() + " from the cache)");
            }
        }
        return Optional.of(scored);
    }

    /**
     * A reference scorer as a run uses it: encoded pairs in, training pairs with their log-probs out, failures as
     * run failures naming the field to fix, and a tally of the pairs and the cache hits. Safe to call from several
     * threads (a streaming window keeps chunks in flight).
     */
    static final class Scorer {

        private final PairScorer scorer;
        private final String modelField;
        private final AtomicLong pairs = new AtomicLong();
        private final AtomicLong cacheHits = new AtomicLong();

        /**
         * @param modelField the config field naming the reference model when this process serves it (a model that
         *                   fails to load names it); empty when replicas at services.reference_addresses serve it
         */
        private Scorer(PairScorer scorer, String modelField) {
            this.scorer = scorer;
            this.modelField = modelField;
        }

        /** The pairs with reference log-probs, in order; {@code offset} is the first one's index, for messages. */
        List<TrainingPair> score(List<EncodedPair> chunk, long offset, boolean perToken) throws RunFailure {
            if (chunk.isEmpty()) {
                return List.of();
            }
            List<IndexedPair> indexed = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                indexed.add(new IndexedPair(offset + i, chunk.get(i).sourceLine(), tokens(chunk.get(i))));
            }
            List<PairScore> scores;
            try {
                scores = scorer.score(indexed, perToken);
            } catch (ReferenceUnavailableException unavailable) {
                throw modelField.isEmpty() ? new RunFailure("service_unavailable", unavailable.getMessage(),
                        "services.reference_addresses")
                        : new RunFailure("internal", "reference scoring failed: " + unavailable.getMessage(), "");
            } catch (InvalidPairException invalid) {
                throw new RunFailure("invalid_training_file", invalid.getMessage(), "data.training_file");
            } catch (ReferenceLoadException unloadable) {
                throw new RunFailure("invalid_model", modelField + ": " + unloadable.getMessage(), modelField);
            }
            List<TrainingPair> scored = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                PairScore score = scores.get(i);
                if (score.cacheHit()) {
                    cacheHits.incrementAndGet();
                }
                scored.add(new TrainingPair(indexed.get(i).tokens(), score.logProbs()));
            }
            pairs.addAndGet(chunk.size());
            return scored;
        }

        long pairs() {
            return pairs.get();
        }

        long cacheHits() {
            return cacheHits.get();
        }
    }
}
