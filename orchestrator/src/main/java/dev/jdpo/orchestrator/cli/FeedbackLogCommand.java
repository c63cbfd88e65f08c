package dev.jdpo.orchestrator.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.jdpo.proto.v1.FeedbackMessage;
import dev.jdpo.proto.v1.LogCompletionRequest;
import dev.jdpo.proto.v1.PreferenceInput;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jdpo feedback log}: stores a prompt and its completions; prints their ids as one JSON line. */
@Command(name = "log", mixinStandardHelpOptions = true,
        description = "Log a prompt and one or more completions of it; prints {\"request_id\", \"completion_ids\"}.")
final class FeedbackLogCommand extends OrchestratorCommand {

    @Option(names = "--prompt", paramLabel = "TEXT", description = "The prompt as one user message.")
    String prompt;

    @Option(names = "--messages", paramLabel = "JSON",
            description = "The prompt as chat messages: a JSON array of {\"role\", \"content\"} (instead of --prompt).")
    String messages;

    @Option(names = "--completion", paramLabel = "TEXT", required = true,
            description = "A completion of the prompt; repeat for several, in order.")
    List<String> completions;

    @Option(names = "--model", required = true, description = "The model that produced the completions.")
    String model;

    @Option(names = "--task", defaultValue = "", description = "The prompt's task (export filters on it).")
    String task;

    @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "Kept with the request; repeatable.")
    Map<String, String> metadata = Map.of();

    @Override
    int call(ManagedChannel channel) {
        if ((prompt == null) == (messages == null)) {
            throw usage("give exactly one of --prompt and --messages");
        }
        LogCompletionRequest.Builder request = LogCompletionRequest.newBuilder().addAllCompletions(completions)
                .setModel(model).setTask(task).putAllMetadata(metadata);
        if (prompt != null) {
            request.addMessages(FeedbackMessage.newBuilder().setRole("user").setContent(prompt));
        } else {
            request.addAllMessages(parseMessages().getMessagesList());
        }
        return answer(FeedbackCommand.json(feedback(channel).logCompletion(request.build())));
    }

    private PreferenceInput parseMessages() {
        PreferenceInput.Builder input = PreferenceInput.newBuilder();
        try {
            JsonFormat.parser().merge("{\"messages\": " + messages + "}", input);
        } catch (InvalidProtocolBufferException | RuntimeException malformed) {
            throw usage("--messages: not a JSON array of {\"role\", \"content\"}: " + malformed.getMessage());
        }
        return input.build();
    }
}
