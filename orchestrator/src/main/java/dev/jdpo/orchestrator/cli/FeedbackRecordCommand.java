package dev.jdpo.orchestrator.cli;

import dev.jdpo.proto.v1.CriteriaScore;
import dev.jdpo.proto.v1.Edit;
import dev.jdpo.proto.v1.RecordFeedbackRequest;
import dev.jdpo.proto.v1.Regeneration;
import dev.jdpo.proto.v1.UserChoice;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jdpo feedback record}: one piece of feedback on logged completions; prints its id as one JSON line. */
@Command(name = "record", mixinStandardHelpOptions = true,
        description = "Record one piece of feedback on logged completions; prints {\"feedback_id\"}. Give one of: "
                + "--score ID --criterion NAME (--value X | --passed | --failed); --choose ID; "
                + "--accepted ID --rejected ID[,ID...]; --user-edit ID --text TEXT; --expert-edit ID --text TEXT.")
final class FeedbackRecordCommand extends OrchestratorCommand {

    @Option(names = "--score", paramLabel = "COMPLETION_ID", description = "A criterion's score of this completion.")
    String scored;

    @Option(names = "--criterion", paramLabel = "NAME", description = "The criterion of --score.")
    String criterion;

    @Option(names = "--value", paramLabel = "X", description = "The score of --score (higher is better).")
    Double value;

    @Option(names = "--passed", description = "--score passed (1).")
    boolean passed;

    @Option(names = "--failed", description = "--score failed (0).")
    boolean failed;

    @Option(names = "--choose", paramLabel = "COMPLETION_ID",
            description = "The user chose this completion among its request's completions.")
    String chosen;

    @Option(names = "--accepted", paramLabel = "COMPLETION_ID",
            description = "A regeneration's accepted completion (with --rejected).")
    String accepted;

    @Option(names = "--rejected", paramLabel = "COMPLETION_ID", split = ",",
            description = "The completions regenerated away from, in order.")
    List<String> rejected = List.of();

    @Option(names = "--user-edit", paramLabel = "COMPLETION_ID", description = "A user's edit of this draft.")
    String userEdit;

    @Option(names = "--expert-edit", paramLabel = "COMPLETION_ID", description = "An expert's edit of this completion.")
    String expertEdit;

    @Option(names = "--text", paramLabel = "TEXT", description = "The edited text of --user-edit or --expert-edit.")
    String text;

    @Override
    int call(ManagedChannel channel) {
        return answer(FeedbackCommand.json(feedback(channel).recordFeedback(request())));
    }

    private RecordFeedbackRequest request() {
        long kinds = Stream.of(scored, chosen, accepted, userEdit, expertEdit).filter(kind -> kind != null).count();
        if (kinds != 1) {
            throw usage("give exactly one of --score, --choose, --accepted, --user-edit, --expert-edit");
        }
        RecordFeedbackRequest.Builder request = RecordFeedbackRequest.newBuilder();
        if (scored != null) {
            if (criterion == null) {
                throw usage("--score needs --criterion");
            }
            CriteriaScore.Builder score = CriteriaScore.newBuilder().setCompletionId(scored).setCriterion(criterion);
            if (Stream.of(value != null, passed, failed).filter(given -> given).count() != 1) {
                throw usage("--score needs exactly one of --value, --passed, --failed");
            }
            if (value != null) {
                score.setScore(value);
            } else {
                score.setPassed(passed);
            }
            return request.setCriteriaScore(score).build();
        }
        if (chosen != null) {
            return request.setUserChoice(UserChoice.newBuilder().setChosenCompletionId(chosen)).build();
        }
        if (accepted != null) {
            return request.setRegeneration(Regeneration.newBuilder().setAcceptedCompletionId(accepted)
                    .addAllRejectedCompletionIds(rejected)).build();
        }
        if (text == null) {
            throw usage((userEdit != null ? "--user-edit" : "--expert-edit") + " needs --text");
        }
        Edit edit = Edit.newBuilder().setCompletionId(userEdit != null ? userEdit : expertEdit).setEditedText(text)
                .build();
        return (userEdit != null ? request.setUserEdit(edit) : request.setExpertEdit(edit)).build();
    }
}
