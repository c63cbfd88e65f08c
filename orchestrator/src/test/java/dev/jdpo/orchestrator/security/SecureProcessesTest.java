package dev.jdpo.orchestrator.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.host.security.BearerToken;
import dev.jdpo.host.security.ClientTls;
import dev.jdpo.orchestrator.testing.RunClient;
import dev.jdpo.orchestrator.testing.ServiceProcess;
import dev.jdpo.orchestrator.testing.TestWorkspace;
import dev.jdpo.proto.v1.CreateRunRequest;
import dev.jdpo.proto.v1.DataConfig;
import dev.jdpo.proto.v1.GetRunRequest;
import dev.jdpo.proto.v1.ListCheckpointsRequest;
import dev.jdpo.proto.v1.ModelConfig;
import dev.jdpo.proto.v1.OutputConfig;
import dev.jdpo.proto.v1.Run;
import dev.jdpo.proto.v1.RunConfig;
import dev.jdpo.proto.v1.RunStatus;
import dev.jdpo.proto.v1.ServicesConfig;
import dev.jdpo.proto.v1.TrainingConfig;
import dev.jdpo.testing.DevCerts;
import io.grpc.CompositeChannelCredentials;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick-start run on four processes with everything on: TLS on the public API with a write token, and mutual
 * TLS between the orchestrator and the tokenizer, reference and trainer, each on its own certificate.
 */
class SecureProcessesTest {

    private static final Path REPO = Path.of(System.getProperty("jdpo.repo.root"));

    @TempDir
    Path tmp;

    @Test
    void quickStartRunPassesWithTlsMutualTlsAndAToken() throws Exception {
        DevCerts certs = DevCerts.create(tmp.resolve("certs"));
        String[] serverTls = {"--tls-cert", certs.serverCert().toString(), "--tls-key", certs.serverKey().toString()};
        String[] mutualTls = {"--tls-cert", certs.serverCert().toString(), "--tls-key", certs.serverKey().toString(),
                "--tls-client-ca", certs.ca().toString()};
        int tokenizerPort = TestWorkspace.freePort();
        int referencePort = TestWorkspace.freePort();
        int trainerPort = TestWorkspace.freePort();
        int orchestratorPort = TestWorkspace.freePort();
        try (ServiceProcess tokenizer = ServiceProcess.start(tmp.resolve("tokenizer.log"),
                     "jdpo tokenizer listening on 127.0.0.1:" + tokenizerPort,
                     args(List.of("tokenizer", "--port", String.valueOf(tokenizerPort), "--read-root",
                             REPO.resolve("examples").toString()), mutualTls));
             ServiceProcess reference = ServiceProcess.start(tmp.resolve("reference.log"),
                     "jdpo reference listening on 127.0.0.1:" + referencePort,
                     args(List.of("reference", "--port", String.valueOf(referencePort), "--model",
                             REPO.resolve("examples/tiny-llama-ref").toString()), mutualTls));
             ServiceProcess trainer = ServiceProcess.start(tmp.resolve("trainer.log"),
                     "jdpo trainer listening on 127.0.0.1:" + trainerPort,
                     args(List.of("trainer", "--port", String.valueOf(trainerPort), "--read-root",
                             REPO.resolve("examples").toString(), "--write-root", tmp.toString()), mutualTls));
             ServiceProcess orchestrator = ServiceProcess.start(tmp.resolve("orchestrator.log"),
                     "jdpo orchestrator listening on 127.0.0.1:" + orchestratorPort,
                     args(List.of("orchestrator", "--port", String.valueOf(orchestratorPort), "--state-dir",
                             tmp.resolve("state").toString(), "--allowed-root", tmp.toString(), "--allowed-root",
                             REPO.resolve("examples").toString(), "--tokens", certs.tokens().toString(),
                             "--service-ca", certs.ca().toString(), "--service-cert", certs.clientCert().toString(),
                             "--service-key", certs.clientKey().toString()), serverTls));
             RunClient client = new RunClient(NettyChannelBuilder.forTarget("localhost:" + orchestratorPort,
                     CompositeChannelCredentials.create(ClientTls.credentials(new ClientTls(certs.ca(), null, null)),
                             new BearerToken(certs.writeToken()))).build())) {
            Run run = client.stub().createRun(CreateRunRequest.newBuilder().setConfig(quickstart(
                    tmp.resolve("out"), tokenizerPort, referencePort, trainerPort)).build());
            client.watch(run.getId(), 0);
            Run done = client.stub().getRun(GetRunRequest.newBuilder().setRunId(run.getId()).build());
            assertEquals(RunStatus.RUN_STATUS_SUCCEEDED, done.getStatus(), done.getError().getMessage()
                    + "\n" + Files.readString(tmp.resolve("orchestrator.log")));
            assertEquals(4, done.getStep());
            assertTrue(Files.isRegularFile(tmp.resolve("out/final/config.json")), "the aligned model is written");
            assertEquals(2, client.stub().listCheckpoints(ListCheckpointsRequest.newBuilder().setRunId(run.getId())
                    .build()).getCheckpointsCount());
        }
    }

    private static String[] args(List<String> head, String[] tls) {
        return Stream.concat(head.stream(), Arrays.stream(tls)).toArray(String[]::new);
    }

    private static RunConfig quickstart(Path outputDir, int tokenizerPort, int referencePort, int trainerPort) {
        return RunConfig.newBuilder()
                .setName("secure-quickstart")
                .setModel(ModelConfig.newBuilder().setPolicy(REPO.resolve("examples/tiny-llama").toString())
                        .setReference(REPO.resolve("examples/tiny-llama-ref").toString()).setDevice("cpu"))
                .setData(DataConfig.newBuilder()
                        .setTrainingFile(REPO.resolve("examples/data/quickstart.jsonl").toString())
                        .setValidationSplit(0.25))
                .setTraining(TrainingConfig.newBuilder().setBatchSize(2).setMaxSteps(4).setLearningRate(1e-3)
                        .setMaxLength(64))
                .setOutput(OutputConfig.newBuilder().setOutputDir(outputDir.toString()).setCheckpointInterval(2)
                        .setLogInterval(1).setEvalInterval(2))
                .setServices(ServicesConfig.newBuilder().setTokenizerAddress("localhost:" + tokenizerPort)
                        .addReferenceAddresses("localhost:" + referencePort)
                        .setTrainerAddress("localhost:" + trainerPort))
                .build();
    }
}
