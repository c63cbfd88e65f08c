package dev.jdpo.orchestrator.state;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

/** Protobuf messages to and from the JSON stored in the run-state tables. */
final class ProtoJson {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace()
            .preservingProtoFieldNames();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private ProtoJson() {
    }

    static String write(Message message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException unprintable) {
            throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName(), unprintable);
        }
    }

    static <B extends Message.Builder> B read(String json, B builder, String column) {
        try {
            PARSER.merge(json, builder);
            return builder;
        } catch (InvalidProtocolBufferException corrupt) {
            throw new StateUnavailableException("stored " + column + " is not valid "
                    + builder.getDescriptorForType().getFullName() + " JSON: " + corrupt.getMessage(), corrupt);
        }
    }
}
