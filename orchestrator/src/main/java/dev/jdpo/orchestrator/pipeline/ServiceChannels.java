package dev.jdpo.orchestrator.pipeline;

import dev.jdpo.host.DaemonThreads;
import dev.jdpo.host.HostSettings;
import dev.jdpo.tokenizer.grpc.TokenizerGrpcService;
import dev.jdpo.tokenizer.grpc.TokenizerRegistry;
import dev.jdpo.trainer.grpc.TrainerServiceEndpoint;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Channels to the pipeline's services: one in-process server hosting the tokenizer and the trainer (embedded mode,
 * started on first use) or Netty channels to {@code host:port} addresses. The pipeline talks to both the same way.
 */
final class ServiceChannels implements AutoCloseable {

    /** Where an embedded service runs, for messages. */
    static final String IN_PROCESS = "in-process";

    // the in-process server is terminated first, so no TokenizeRows call can be encoding; a cancelled
    // TokenizeDataset stops within a row, and 30 s covers one very long row on a loaded machine
    private static final Duration TOKENIZER_DRAIN = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(ServiceChannels.class);

    private final ChannelCredentials credentials;
    private final Map<String, ManagedChannel> remote = new ConcurrentHashMap<>();
    private Server embeddedServer;
    private TrainerServiceEndpoint embeddedTrainer;
    private TokenizerRegistry embeddedTokenizers;
    private ExecutorService tokenizerWork;
    private ManagedChannel embeddedChannel;

    /** @param credentials how remote channels are secured (TLS, or plaintext) */
    ServiceChannels(ChannelCredentials credentials) {
        this.credentials = credentials;
    }

    /** How remote channels are secured, for the other clients of the services (the reference pool). */
    ChannelCredentials credentials() {
        return credentials;
    }

    /** The channel to the service at {@code address}, or to the embedded services when it is blank. */
    synchronized ManagedChannel channel(String address) {
        if (!address.isBlank()) {
            return remote.computeIfAbsent(address.trim(), target -> NettyChannelBuilder.forTarget(target, credentials)
                   .maxInboundMessageSize(HostSettings.PAIR_MESSAGE_BYTES).build());
        }
        if (embeddedChannel == null) {
            String name = "jdpo-services-" + System.identityHashCode(this);
            embeddedTrainer = new TrainerServiceEndpoint();
            embeddedTokenizers = new TokenizerRegistry();
            tokenizerWork = Executors.newCachedThreadPool(DaemonThreads.named("jdpo-tokenize-"));
            try {
                embeddedServer = InProcessServerBuilder.forName(name).addService(embeddedTrainer)
                        .addService(new TokenizerGrpcService(embeddedTokenizers, tokenizerWork)).build().start();
            } catch (IOException impossible) {
                throw new UncheckedIOException("starting the in-process services failed", impossible);
            }
            embeddedChannel = InProcessChannelBuilder.forName(name).build();
        }
        return embeddedChannel;
    }

    /** Where {@link #channel} leads, for messages. */
    static String target(String address) {
        return address.isBlank() ? IN_PROCESS : address.trim();
    }

    /** Cancels an embedded training job (it checkpoints at its next step boundary) and closes every channel. */
    @Override
    public synchronized void close() {
        remote.values().forEach(ManagedChannel::shutdownNow);
        if (embeddedChannel != null) {
            embeddedTrainer.close();
            embeddedChannel.shutdownNow();
            embeddedServer.shutdownNow();
            try {
                embeddedServer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!embeddedTokenizers.closeAfter(tokenizerWork, TOKENIZER_DRAIN)) {
                LOG.warn("tokenization still running {} after close; its native tokenizers are left to the process "
                        + "exit rather than freed under it", TOKENIZER_DRAIN);
            }
        }
    }
}
