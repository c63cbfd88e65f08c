package dev.jdpo.orchestrator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.ScriptedRunExecutor;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunEvent;
import dev.jdpo.proto.v1.RunServiceGrpc;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.WatchRunRequest;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WatchRun fan-out: many watchers each get every event in order; a stalled one does not hold the run back. */
class ConcurrentWatchTest {

    private static final int WATCHERS = 20;
    private static final int STEPS = 60;

    @TempDir
    Path tmp;

    @Test
    void twentyWatchersEachReceiveEveryEventInOrderWhileAStalledWatcherLags() throws Exception {
        TestWorkspace workspace = new TestWorkspace(tmp);
        ExecutorService pool = Executors.newFixedThreadPool(WATCHERS);
        try (OrchestratorServer server = workspace.start(new ScriptedRunExecutor(STEPS, 5, 10));
             RunClient client = new RunClient(server.port())) {
            Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(workspace.config("fan")).build());

            StalledWatcher stalled = new StalledWatcher();
            RunServiceGrpc.newStub(client.channel())
                    .watchRun(WatchRunRequest.newBuilder().setRunId(run.getId()).build(), stalled);

            List<Future<List<RunEvent>>> watchers = new ArrayList<>();
            for (int i = 0; i < WATCHERS; i++) {
                watchers.add(pool.submit(() -> client.watch(run.getId(), 0)));
            }
            List<List<RunEvent>> received = new ArrayList<>();
            for (Future<List<RunEvent>> watcher : watchers) {
                received.add(watcher.get(60, TimeUnit.SECONDS));
            }

            Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
            assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), "the run finished with a watcher stalled");
            assertTrue(stalled.events.size() < done.getLastSequence(),
                    "the stalled watcher had not caught up when the run ended: " + stalled.events.size());

            List<RunEvent> log = server.runs().events().readAfter(run.getId(), 0, Integer.MAX_VALUE);
            assertEquals(done.getLastSequence(), log.size());
            for (List<RunEvent> events : received) {
                assertEquals(log, events, "every watcher sees the whole log in order");
            }

            stalled.resume();
            assertEquals(log, stalled.done.get(30, TimeUnit.SECONDS), "the stalled watcher catches up in order");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Takes one event, then asks for nothing more until {@link #resume()}: flow control holds the server back. */
    private static final class StalledWatcher implements ClientResponseObserver<WatchRunRequest, RunEvent> {
        final List<RunEvent> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<List<RunEvent>> done = new CompletableFuture<>();
        private ClientCallStreamObserver<WatchRunRequest> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchRunRequest> requestStream) {
            call = requestStream;
            requestStream.disableAutoRequestWithInitial(1);
        }

        void resume() {
            call.request(Integer.MAX_VALUE);
        }

        @Override
        public void onNext(RunEvent event) {
            events.add(event);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        @Override
        public void onCompleted() {
            done.complete(List.copyOf(events));
        }
    }
}
