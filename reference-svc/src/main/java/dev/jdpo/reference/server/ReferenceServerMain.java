package dev.jdpo.reference.server;

import ai.djl.Device;
import dev.jdpo.host.HostSettings;
import dev.jdpo.host.ListenOptions;
import dev.jdpo.host.ServiceHost;
import dev.jdpo.host.ServiceMains;
import dev.jdpo.model.LoadOptions;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.Precision;
import dev.jdpo.reference.ReferenceModel;
import dev.jdpo.reference.batch.BatchLimits;
import dev.jdpo.reference.cache.ScoreCache;
import dev.jdpo.reference.grpc.ReferenceServiceEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A stand-alone reference replica ({@code jdpo serve reference --model DIR [--host H] [--port N] [--cache DIR]}),
 * with the standard health service and server reflection (a {@link ServiceHost}), in the shape of
 * {@link ServiceMains}. Prints {@code jdpo reference listening on H:N} once it serves, and stops cleanly on SIGTERM.
 */
@Command(name = "reference", mixinStandardHelpOptions = true,
        description = "Serve reference log-probs of a frozen checkpoint over gRPC (jdpo.internal.v1.ReferenceService).")
public final class ReferenceServerMain implements Callable<Integer> {

    /** The line a launcher waits for; host:port follows it. */
    public static final String READY_LINE = ServiceMains.readyLine("reference");

    @Option(names = "--model", required = true, description = "Hugging Face checkpoint directory (with tokenizer.json).")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter to score with, frozen, on "
            + "--model (e.g. the adapter a LoRA run continues, as its reference).")
    Path adapter;

    @Option(names = "--port", defaultValue = "50053", description = ServiceMains.PORT_DESCRIPTION)
    int port;

    @Mixin
    ListenOptions listen;

    @Option(names = "--cache", description = "Score cache directory; without it the cache lives in memory only.")
    Path cache;

    @Option(names = "--replica-id", description = "Name in responses and stats (default: host/pid).")
    String replicaId;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--precision", defaultValue = "FP32", description = "FP32, TF32 or FP16 (default: ${DEFAULT-VALUE}).")
    Precision precision;

    @Option(names = "--max-batch-tokens", defaultValue = "8192", description = "Padded tokens per forward pass (default: ${DEFAULT-VALUE}).")
    int maxBatchTokens;

    @Option(names = "--max-batch-rows", defaultValue = "64", description = "Sequences per forward pass (default: ${DEFAULT-VALUE}).")
    int maxBatchRows;

    @Option(names = "--max-sequence-length", defaultValue = "8192", description = "Most tokens of one sequence "
            + "(prompt + completion); longer pairs are refused with INVALID_ARGUMENT (default: ${DEFAULT-VALUE}).")
    int maxSequenceLength;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with errors printed as one line, without a stack trace. */
    public static CommandLine commandLine() {
        return ServiceMains.commandLine(new ReferenceServerMain());
    }

    @Override
    public Integer call() throws IOException, ModelLoadException, InterruptedException {
        LoadOptions options = new LoadOptions(Device.fromName(device), precision, false);
        ScoreCache scoreCache = cache == null ? ScoreCache.inMemory() : ScoreCache.open(cache);
        ReferenceModel reference;
        try {
            reference = ReferenceModel.load(model, adapter, options, scoreCache,
                    new BatchLimits(maxBatchTokens, maxBatchRows, maxSequenceLength));
        } catch (IOException | ModelLoadException | RuntimeException e) {
            scoreCache.close();
            throw e;
        }
        ReferenceServiceEndpoint endpoint = new ReferenceServiceEndpoint(reference.scorer(),
                replicaId == null ? defaultReplicaId() : replicaId);
        ServiceHost server;
        try {
            server = ServiceHost.start(pairMessages(listen.settings(port)), endpoint);
        } catch (RuntimeException e) {
            reference.close();
            scoreCache.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            reference.close();
            scoreCache.close();
        }, "reference-server-shutdown"));
        listen.announce(server.port());
        server.awaitTermination();
        return 0;
    }

    /** {@code settings} taking {@link HostSettings#PAIR_MESSAGE_BYTES} per message. */
    static HostSettings pairMessages(HostSettings settings) {
        return settings.withMaxInboundMessageBytes(HostSettings.PAIR_MESSAGE_BYTES);
    }

    private static String defaultReplicaId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "/" + ProcessHandle.current().pid();
    }
}
