package dev.jdpo.tokenizer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdpo.host.security.PathRoots;
import dev.jdpo.proto.internal.v1.DataOptions;
import dev.jdpo.proto.internal.v1.TokenizeDatasetRequest;
import dev.jdpo.proto.internal.v1.TokenizeResponse;
import dev.jdpo.proto.internal.v1.TokenizerServiceGrpc;
import dev.jdpo.tokenizer.Fixtures;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** TokenizeDataset reports the rows it has read while it reads, before the first pair is sent. */
class TokenizeProgressTest {

    @Test
    void progressComesBeforeThePairsAndCountsEveryRowRead() throws Exception {
        String name = InProcessServerBuilder.generateName();
        TokenizerRegistry registry = new TokenizerRegistry();
        ExecutorService work = Executors.newSingleThreadExecutor();
        // interval zero: a report after every row, so a 64-row file shows the whole sequence
        Server server = InProcessServerBuilder.forName(name)
                .addService(new TokenizerGrpcService(registry, work, Duration.ZERO, PathRoots.anywhere())).build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        try {
            List<TokenizeResponse> all = new ArrayList<>();
            TokenizerServiceGrpc.newBlockingStub(channel).tokenizeDataset(TokenizeDatasetRequest.newBuilder()
                    .setModelDir(Fixtures.MODEL.toString())
                    .setDatasetPath(Fixtures.DATA.resolve("quickstart.jsonl").toString())
                    .setOptions(DataOptions.newBuilder().setSeed(7)).build()).forEachRemaining(all::add);

            List<Long> progress = all.stream().filter(TokenizeResponse::hasProgress)
                    .map(r -> r.getProgress().getRowsRead()).toList();
            assertEquals(64, progress.size(), "one report per row at interval zero");
            for (int i = 0; i < progress.size(); i++) {
                assertEquals(i + 1, progress.get(i));
            }
            int firstPair = all.indexOf(all.stream().filter(TokenizeResponse::hasPair).findFirst().orElseThrow());
            assertTrue(all.subList(0, firstPair).stream().allMatch(TokenizeResponse::hasProgress),
                    "progress precedes the pairs");
            assertTrue(all.get(all.size() - 1).hasReport());
            assertEquals(64, all.stream().filter(TokenizeResponse::hasPair).count());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            registry.closeAfter(work, Duration.ofSeconds(30));
        }
    }
}
