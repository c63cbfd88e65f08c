package dev.jdpo.orchestrator.feedback;

import dev.jdpo.proto.v1.FeedbackSource;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Feedback sources as the feedback tables and the CLI name them: the enum name without its prefix, lower case. */
public final class FeedbackSources {

    private static final String PREFIX = "FEEDBACK_SOURCE_";

    /** The five sources, in the enum's order. */
    public static final List<FeedbackSource> ALL = Arrays.stream(FeedbackSource.values())
            .filter(source -> source != FeedbackSource.FEEDBACK_SOURCE_UNSPECIFIED
                    && source != FeedbackSource.UNRECOGNIZED)
            .toList();

    private FeedbackSources() {
    }

    public static String shortName(FeedbackSource source) {
        return source.name().substring(PREFIX.length()).toLowerCase(Locale.ROOT);
    }

    /** The source named {@code name} (e.g. "expert_edit"). */
    public static FeedbackSource fromShortName(String name) {
        return ALL.stream().filter(source -> shortName(source).equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown feedback source " + name + " (one of "
                        + String.join(", ", ALL.stream().map(FeedbackSources::shortName).toList()) + ")"));
    }
}
