package dev.jdpo.orchestrator.continual;

import dev.jdpo.host.DaemonThreads;
import dev.jdpo.orchestrator.config.AllowedRoots;
import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.orchestrator.config.PathNotAllowedException;
import dev.jdpo.orchestrator.feedback.PairExporter;
import dev.jdpo.orchestrator.run.RunFinishedException;
import dev.jdpo.orchestrator.run.RunIds;
import dev.jdpo.orchestrator.run.RunLeases;
import dev.jdpo.orchestrator.run.RunManager;
import dev.jdpo.orchestrator.state.ContinualRepository;
import dev.jdpo.orchestrator.state.ContinualRepository.Changed;
import dev.jdpo.orchestrator.state.Page;
import dev.jdpo.orchestrator.state.Timestamps;
import dev.jdpo.proto.v1.ContinualEvent;
import dev.jdpo.proto.v1.ContinualJob;
import dev.jdpo.proto.v1.ContinualJobConfig;
import dev.jdpo.proto.v1.ContinualJobStatus;
import dev.jdpo.proto.v1.EventLevel;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The continual jobs of this orchestrator: creates, reads and cancels them, and runs one {@link JobLoop} per
 * unfinished job while this process holds the job's lease (so two orchestrators on one state never drive a job
 * twice). On start-up it continues the jobs an earlier process left unfinished.
 */
public final class ContinualJobs implements AutoCloseable {

    private final ContinualRepository jobs;
    private final JobEvents events;
    private final ContinualJobValidator validator;
    private final FeedbackPairs feedback;
    private final RunManager runs;
    private final RunLeases leases;
    private final Duration poll;
    private final Clock clock;
    private final ExecutorService loops = Executors.newCachedThreadPool(DaemonThreads.named("jdpo-continual-"));

    /** @param poll how often a waiting job checks its trigger and a round its run */
    public ContinualJobs(ContinualRepository jobs, PairExporter exporter, RunManager runs, AllowedRoots roots,
                         RunLeases leases, Duration poll, Clock clock) {
        this.jobs = jobs;
        this.events = new JobEvents(jobs, clock);
        this.validator = new ContinualJobValidator(roots);
        this.feedback = new FeedbackPairs(exporter);
        this.runs = runs;
        this.leases = leases;
        this.poll = poll;
        this.clock = clock;
    }

    /** Continues every job an earlier process left waiting or in a round; call once, after the runs recovered. */
    public void recover() {
        for (ContinualJob job : jobs.unfinished()) {
            if (leases.acquire(job.getId())) {
                events.message(job.getId(), "Orchestrator restarted; the job continues"
                        + (job.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_IN_ROUND
                        ? " its round " + job.getRoundsCount() : ""));
                start(job.getId());
            }
        }
    }

    /**
     * Stores a new job (WAITING) and starts watching its trigger.
     *
     * @throws InvalidConfigException  naming every bad field
     * @throws PathNotAllowedException for a path outside the allowed roots
     */
    public ContinualJob create(ContinualJobConfig submitted) throws InvalidConfigException, PathNotAllowedException {
        ContinualJobConfig config = validator.validate(submitted);
        String id = RunIds.next("cjob-");
        ContinualJob job = ContinualJob.newBuilder().setId(id).setName(config.getName())
                .setStatus(ContinualJobStatus.CONTINUAL_JOB_STATUS_WAITING).setConfig(config)
                .setCreatedAt(Timestamps.ofMillis(clock.millis()))
                .setPromotedModelDir(config.getRunTemplate().getModel().getPolicy()).build();
        leases.acquire(id);
        ContinualJob stored = jobs.insert(job, ContinualEvent.newBuilder()
                .setStatus(ContinualJobStatus.CONTINUAL_JOB_STATUS_WAITING).setLevel(EventLevel.EVENT_LEVEL_INFO)
                .setMessage("Job created; waiting for its trigger"));
        start(id);
        return stored;
    }

    public ContinualJob get(String id) throws JobNotFoundException {
        return jobs.find(id).orElseThrow(() -> new JobNotFoundException(id));
    }

    /** Newest first. */
    public Page<ContinualJob> list(long beforeOrdinal, int limit) {
        return jobs.page(beforeOrdinal, limit);
    }

    public List<ContinualEvent> eventsAfter(String id, long afterSequence, int limit) {
        return jobs.eventsAfter(id, afterSequence, limit);
    }

    /**
     * Stops the job: a waiting one at once; in a round, its run is cancelled and the loop ends the round unpromoted.
     *
     * @throws RunFinishedException for a completed or failed job
     */
    public ContinualJob cancel(String id) throws JobNotFoundException, RunFinishedException {
        ContinualJob job = get(id);
        if (job.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_CANCELLED) {
            return job;
        }
        AtomicReference<ContinualJobStatus> finished = new AtomicReference<>();
        jobs.change(id, clock.millis(), current -> {
            if (JobEvents.terminal(current.getStatus()) || current.getCancelRequested()) {
                finished.set(current.getStatus());
                return null;
            }
            ContinualJob.Builder changed = current.toBuilder().setCancelRequested(true);
            ContinualEvent.Builder event = ContinualEvent.newBuilder().setLevel(EventLevel.EVENT_LEVEL_INFO);
            if (current.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_WAITING) {
                changed.setStatus(ContinualJobStatus.CONTINUAL_JOB_STATUS_CANCELLED)
                        .setFinishedAt(Timestamps.ofMillis(clock.millis()));
                event.setStatus(ContinualJobStatus.CONTINUAL_JOB_STATUS_CANCELLED).setMessage("Cancelled");
            } else {
                event.setMessage("Cancellation requested; the round in progress stops and is not promoted");
            }
            return new Changed(changed.build(), event);
        });
        if (finished.get() != null && finished.get() != ContinualJobStatus.CONTINUAL_JOB_STATUS_CANCELLED
                && JobEvents.terminal(finished.get())) {
            throw new RunFinishedException("continual job " + id + " already "
                    + finished.get().name().substring("CONTINUAL_JOB_STATUS_".length()).toLowerCase(java.util.Locale.ROOT)
                    + "; there is nothing to cancel");
        }
        ContinualJob current = get(id);
        int rounds = current.getRoundsCount();
        if (current.getStatus() == ContinualJobStatus.CONTINUAL_JOB_STATUS_IN_ROUND
                && !current.getRounds(rounds - 1).getRunId().isEmpty()) {
            try {
                runs.cancel(current.getRounds(rounds - 1).getRunId());
            } catch (Exception over) {
                // the run ended meanwhile; the loop ends the round either way
            }
        }
        return get(id);
    }

    @Override
    public void close() {
        loops.shutdownNow();
        try {
            loops.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void start(String id) {
        loops.execute(() -> {
            try {
                new JobLoop(id, events, new RoundTrigger(feedback), feedback, runs, poll).run();
            } finally {
                leases.release(id);
            }
        });
    }
}
