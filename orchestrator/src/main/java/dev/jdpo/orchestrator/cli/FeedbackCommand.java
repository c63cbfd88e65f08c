package dev.jdpo.orchestrator.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import picocli.CommandLine.Command;

/** {@code jdpo feedback}: log completions, record feedback on them and export preference pairs (FeedbackService). */
@Command(name = "feedback", mixinStandardHelpOptions = true,
        description = "Log completions, record feedback on them, export the preference pairs it implies.",
        subcommands = {FeedbackLogCommand.class, FeedbackRecordCommand.class, FeedbackExportCommand.class})
final class FeedbackCommand extends CommandGroup {

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace()
            .preservingProtoFieldNames();

    /** One line of proto JSON with the .proto field names. */
    static String json(MessageOrBuilder message) {
        try {
            return JSON.print(message);
        } catch (InvalidProtocolBufferException unprintable) {
            throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName(),
                    unprintable);
        }
    }
}
