package dev.jdpo.orchestrator.server;

import dev.jdpo.host.ShortStatusInterceptor;
import dev.jdpo.host.metrics.GrpcServerMetrics;
import dev.jdpo.host.metrics.ProcessMetrics;
import dev.jdpo.host.security.TokenAuthInterceptor;
import dev.jdpo.host.security.TokenStore;
import dev.jdpo.orchestrator.api.ContinualServiceEndpoint;
import dev.jdpo.orchestrator.api.FeedbackServiceEndpoint;
import dev.jdpo.orchestrator.api.RunServiceEndpoint;
import dev.jdpo.orchestrator.continual.ContinualJobs;
import dev.jdpo.orchestrator.feedback.FeedbackRecorder;
import dev.jdpo.orchestrator.feedback.PairExporter;
import dev.jdpo.orchestrator.metrics.RunMetrics;
import dev.jdpo.orchestrator.pipeline.PipelineRunExecutor;
import dev.jdpo.orchestrator.run.EventLog;
import dev.jdpo.orchestrator.run.RunExecutor;
import dev.jdpo.orchestrator.run.RunLeases;
import dev.jdpo.orchestrator.run.RunManager;
import dev.jdpo.orchestrator.state.CheckpointRepository;
import dev.jdpo.orchestrator.state.ContinualRepository;
import dev.jdpo.orchestrator.state.EventJournal;
import dev.jdpo.orchestrator.state.FeedbackRepository;
import dev.jdpo.orchestrator.state.RunRepository;
import dev.jdpo.orchestrator.state.StateDatabase;
import dev.jdpo.proto.v1.ContinualServiceGrpc;
import dev.jdpo.proto.v1.FeedbackServiceGrpc;
import dev.jdpo.proto.v1.RunServiceGrpc;
import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * Wires the orchestrator from {@link OrchestratorSettings} and a {@link RunExecutor} bean; the state repositories
 * are singletons of their own. Every {@link BindableService} bean is served by Micronaut's gRPC server, health
 * included (micronaut-grpc-health).
 */
@Factory
public class OrchestratorFactory {

    @Singleton
    @Bean(preDestroy = "close")
    StateDatabase stateDatabase(OrchestratorSettings settings) {
        return StateDatabase.open(settings.database());
    }

    @Singleton
    EventLog eventLog(StateDatabase db, RunRepository runs) {
        return new EventLog(new EventJournal(db, runs), Clock.systemUTC());
    }

    /** The runs this process works on, among the processes sharing the state directory. */
    @Singleton
    RunLeases runLeases(OrchestratorSettings settings) {
        return new RunLeases(settings.stateDirOrDefault());
    }

    /** Eager, so runs left unfinished by an earlier process resume as soon as the orchestrator starts. */
    @Context
    @Bean(preDestroy = "close")
    RunManager runManager(OrchestratorSettings settings, SecuritySettings security, RunRepository runs,
                          CheckpointRepository checkpoints, EventLog log, RunExecutor executor, RunLeases leases) {
        RunManager manager = new RunManager(runs, checkpoints, log, executor, settings.roots(), security.services(),
                settings.runSettings(), Clock.systemUTC(), leases);
        if (settings.recoverRuns()) {
            manager.recover();
        }
        return manager;
    }

    @Singleton
    @Bean(preDestroy = "close")
    RunServiceEndpoint runServiceEndpoint(RunManager runs) {
        return new RunServiceEndpoint(runs);
    }

    /** Library entry point of ExportPairs, for in-process callers as well as the endpoint. */
    @Singleton
    PairExporter pairExporter(FeedbackRepository feedback) {
        return new PairExporter(feedback);
    }

    @Singleton
    @Bean(preDestroy = "close")
    FeedbackServiceEndpoint feedbackServiceEndpoint(FeedbackRepository feedback, PairExporter exporter) {
        return new FeedbackServiceEndpoint(new FeedbackRecorder(feedback, Clock.systemUTC()), exporter);
    }

    /**
     * Eager, after the run manager, so jobs left unfinished continue once their rounds' runs have resumed; not in a
     * process that does not resume runs ({@code jdpo train}).
     */
    @Context
    @Bean(preDestroy = "close")
    ContinualJobs continualJobs(OrchestratorSettings settings, StateDatabase db, PairExporter exporter,
                                RunManager runs, RunLeases leases,
                                @Value("${jdpo.continual-poll:5s}") Duration poll) {
        ContinualJobs jobs = new ContinualJobs(new ContinualRepository(db), exporter, runs, settings.roots(), leases,
                poll, Clock.systemUTC());
        if (settings.recoverRuns()) {
            jobs.recover();
        }
        return jobs;
    }

    @Singleton
    @Bean(preDestroy = "close")
    ContinualServiceEndpoint continualServiceEndpoint(ContinualJobs jobs) {
        return new ContinualServiceEndpoint(jobs);
    }

    /** The real pipeline; tests set {@code jdpo.executor} to something else and register their own executor. */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = "jdpo.executor", value = "pipeline", defaultValue = "pipeline")
    PipelineRunExecutor pipelineExecutor(OrchestratorSettings settings, SecuritySettings security) {
        return new PipelineRunExecutor(settings.referenceCache(), settings.runData(), security.serviceTls());
    }

    /** Error messages that echo a huge request field would not fit the HTTP/2 trailers; they are cut short. */
    @Singleton
    @Named("short-status")
    ServerInterceptor shortStatus() {
        return new ShortStatusInterceptor();
    }

    /** Bearer tokens on the public API: the calls that change state need a write token, the rest a read one. */
    @Singleton
    @Named("token-auth")
    @Requires(property = "jdpo.security.tokens-file")
    ServerInterceptor tokenAuth(SecuritySettings security) {
        try {
            return new TokenAuthInterceptor(TokenStore.read(security.tokensFile()), Set.of(
                    RunServiceGrpc.getCreateRunMethod().getFullMethodName(),
                    RunServiceGrpc.getCancelRunMethod().getFullMethodName(),
                    FeedbackServiceGrpc.getLogCompletionMethod().getFullMethodName(),
                    FeedbackServiceGrpc.getRecordFeedbackMethod().getFullMethodName(),
                    ContinualServiceGrpc.getCreateContinualJobMethod().getFullMethodName(),
                    ContinualServiceGrpc.getCancelContinualJobMethod().getFullMethodName()));
        } catch (IOException unreadable) {
            throw new UncheckedIOException("--tokens: " + unreadable.getMessage(), unreadable);
        }
    }

    /** The runs' metrics, in the process's Prometheus registry while the orchestrator runs. */
    @Context
    @Bean(preDestroy = "close")
    RunMetrics runMetrics(RunManager manager, RunRepository runs) {
        return new RunMetrics(manager, runs, ProcessMetrics.registry());
    }

    /** Counts and times every RunService call for /metrics; Micronaut installs ServerInterceptor beans. */
    @Singleton
    @Named("metrics")
    ServerInterceptor grpcServerMetrics() {
        return GrpcServerMetrics.instance();
    }

    /** Server reflection, so grpcurl and other tools can discover the API without the .proto files. */
    @Singleton
    @Named("reflection")
    @Requires(property = "grpc.server.reflection.enabled", value = "true", defaultValue = "true")
    BindableService reflectionService() {
        return ProtoReflectionServiceV1.newInstance();
    }
}
