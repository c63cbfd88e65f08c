package dev.jdpo.orchestrator.testing;

import dev.jdpo.orchestrator.server.OrchestratorServer;
import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.ModelConfig;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.TrainingConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A temporary allowed root holding a model directory, a training file and the state database. */
public final class TestWorkspace {

    private final Path root;

    public TestWorkspace(Path root) throws IOException {
        this.root = root.toRealPath();
        Files.createDirectories(model());
        Files.writeString(model().resolve("config.json"), "{\"model_type\": \"llama\"}");
        Files.writeString(trainingFile(), "{\"prompt\": \"a\", \"chosen\": \"b\", \"rejected\": \"c\"}\n");
    }

    public Path root() {
        return root;
    }

    public Path model() {
        return root.resolve("model");
    }

    public Path trainingFile() {
        return root.resolve("train.jsonl");
    }

    public Path stateDir() {
        return root.resolve("state");
    }

    /** A valid config: batch 1 and 1 epoch, so a run has as many steps as the executor has pairs. */
    public RunConfig config(String name) {
        return RunConfig.newBuilder()
                .setName(name)
                .setModel(ModelConfig.newBuilder().setPolicy(model().toString()))
                .setData(DataConfig.newBuilder().setTrainingFile(trainingFile().toString()))
                .setTraining(TrainingConfig.newBuilder().setBatchSize(1).setEpochs(1))
                .setOutput(OutputConfig.newBuilder().setOutputDir(root.resolve("out-" + name).toString()))
                .build();
    }

    /** Starts an orchestrator on a free loopback port with this workspace as its only allowed root. */
    public OrchestratorServer start(ScriptedRunExecutor executor) throws IOException {
        return start(executor, Map.of());
    }

    /** An orchestrator as {@link #start(ScriptedRunExecutor)} starts it, with {@code more} properties (security). */
    public OrchestratorServer start(ScriptedRunExecutor executor, Map<String, Object> more) throws IOException {
        Map<String, Object> properties = new HashMap<>(Map.of(
                "jdpo.executor", "scripted",
                "jdpo.state-dir", stateDir().toString(),
                "jdpo.allowed-roots", List.of(root.toString()),
                "jdpo.cancel-wait", "10s",
                "grpc.server.host", "127.0.0.1",
                "grpc.server.port", freePort()));
        properties.putAll(more);
        return OrchestratorServer.start(properties, List.of(executor), true);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
