package dev.jdpo.orchestrator.feedback;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.jdpo.host.EchoLimit;
import dev.jdpo.orchestrator.config.InvalidConfigException;
import dev.jdpo.orchestrator.run.RunIds;
import dev.jdpo.orchestrator.state.FeedbackRepository;
import dev.jdpo.orchestrator.state.FeedbackRepository.LatestScore;
import dev.jdpo.orchestrator.state.FeedbackRepository.NewPair;
import dev.jdpo.orchestrator.state.FeedbackRepository.StoredCompletion;
import dev.jdpo.proto.v1.CriteriaScore;
import dev.jdpo.proto.v1.Edit;
import dev.jdpo.proto.v1.FeedbackMessage;
import dev.jdpo.proto.v1.FeedbackSource;
import dev.jdpo.proto.v1.LogCompletionRequest;
import dev.jdpo.proto.v1.LogCompletionResponse;
import dev.jdpo.proto.v1.PreferenceInput;
import dev.jdpo.proto.v1.RecordFeedbackRequest;
import dev.jdpo.proto.v1.RecordFeedbackResponse;
import dev.jdpo.proto.v1.Regeneration;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Stores logged completions and feedback, and turns each feedback record into the pairs its source's rule implies
 * (the rules are documented in feedback.proto), stored with the record in one transaction.
 */
public final class FeedbackRecorder {

    private static final int MAX_ID_CHARS = 64;
    private static final int MAX_TASK_CHARS = 256;
    private static final int MAX_MODEL_CHARS = 1024;
    private static final int MAX_CRITERION_CHARS = 256;
    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    private final FeedbackRepository repository;
    private final Clock clock;

    public FeedbackRecorder(FeedbackRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    public LogCompletionResponse logCompletion(LogCompletionRequest request) throws InvalidConfigException {
        if (request.getMessagesCount() == 0) {
            throw new InvalidConfigException("messages", "at least one message (the prompt) is required");
        }
        for (int i = 0; i < request.getMessagesCount(); i++) {
            String role = request.getMessages(i).getRole();
            if (!ROLES.contains(role)) {
                throw new InvalidConfigException("messages[" + i + "].role", "must be system, user or assistant, got "
                        + EchoLimit.value(role));
            }
        }
        if (request.getCompletionsCount() == 0) {
            throw new InvalidConfigException("completions", "at least one completion is required");
        }
        if (request.getModel().isBlank()) {
            throw new InvalidConfigException("model", "required");
        }
        requireLength("model", request.getModel(), MAX_MODEL_CHARS);
        requireLength("task", request.getTask(), MAX_TASK_CHARS);
        PreferenceInput prompt = PreferenceInput.newBuilder().addAllMessages(request.getMessagesList()).build();
        Struct.Builder metadata = Struct.newBuilder();
        request.getMetadataMap().forEach((key, value) -> metadata.putFields(key,
                Value.newBuilder().setStringValue(value).build()));
        String requestId = RunIds.next("req-");
        List<String> completionIds = new ArrayList<>();
        for (int i = 0; i < request.getCompletionsCount(); i++) {
            completionIds.add(RunIds.next("cmp-"));
        }
        repository.insertRequest(requestId, request.getTask(), request.getModel(), prompt, promptHash(prompt),
                metadata.build(), clock.millis(), completionIds, request.getCompletionsList());
        return LogCompletionResponse.newBuilder().setRequestId(requestId).addAllCompletionIds(completionIds).build();
    }

    public RecordFeedbackResponse record(RecordFeedbackRequest request)
            throws InvalidConfigException, CompletionNotFoundException {
        String feedbackId = RunIds.next("fb-");
        long now = clock.millis();
        switch (request.getFeedbackCase()) {
            case CRITERIA_SCORE -> recordScore(feedbackId, now, request);
            case USER_CHOICE -> {
                StoredCompletion chosen = completion("user_choice.chosen_completion_id",
                        request.getUserChoice().getChosenCompletionId());
                List<StoredCompletion> others = repository.completionsOf(chosen.requestId()).stream()
                        .filter(other -> !other.id().equals(chosen.id())).toList();
                if (others.isEmpty()) {
                    throw new InvalidConfigException("user_choice.chosen_completion_id",
                            "its request has one completion; a choice needs two or more");
                }
                store(feedbackId, FeedbackSource.FEEDBACK_SOURCE_USER_CHOICE, now, request, others.stream()
                        .map(other -> pair(chosen, chosen.content(), other.content(), feedbackId, now)).toList());
            }
            case REGENERATION -> recordRegeneration(feedbackId, now, request);
            case USER_EDIT -> recordEdit(feedbackId, now, request, "user_edit", request.getUserEdit(),
                    FeedbackSource.FEEDBACK_SOURCE_USER_EDIT);
            case EXPERT_EDIT -> recordEdit(feedbackId, now, request, "expert_edit", request.getExpertEdit(),
                    FeedbackSource.FEEDBACK_SOURCE_EXPERT_EDIT);
            case FEEDBACK_NOT_SET -> throw new InvalidConfigException("feedback", "set one of criteria_score, "
                    + "user_choice, regeneration, user_edit, expert_edit");
        }
        return RecordFeedbackResponse.newBuilder().setFeedbackId(feedbackId).build();
    }

    private void recordScore(String feedbackId, long now, RecordFeedbackRequest request)
            throws InvalidConfigException, CompletionNotFoundException {
        CriteriaScore score = request.getCriteriaScore();
        if (score.getCriterion().isBlank()) {
            throw new InvalidConfigException("criteria_score.criterion", "required");
        }
        requireLength("criteria_score.criterion", score.getCriterion(), MAX_CRITERION_CHARS);
        double value = switch (score.getValueCase()) {
            case SCORE -> score.getScore();
            case PASSED -> score.getPassed() ? 1 : 0;
            case VALUE_NOT_SET -> throw new InvalidConfigException("criteria_score", "set score or passed");
        };
        if (!Double.isFinite(value)) {
            throw new InvalidConfigException("criteria_score.score", "must be finite, got " + value);
        }
        StoredCompletion completion = completion("criteria_score.completion_id", score.getCompletionId());
        repository.insertScore(feedbackId, FeedbackSources.shortName(FeedbackSource.FEEDBACK_SOURCE_CRITERIA), now,
                request, completion, score.getCriterion(), value, scores -> criteriaPair(scores, score.getCriterion()));
    }

    /** Highest over lowest of the latest scores; the first logged among equal ones; nothing on a tie. */
    private static Optional<NewPair> criteriaPair(List<LatestScore> scores, String criterion) {
        if (scores.size() < 2) {
            return Optional.empty();
        }
        // scores come in logged order, and Stream.max/min keep the first of equal elements
        LatestScore best = scores.stream().max(Comparator.comparingDouble(LatestScore::score)).orElseThrow();
        LatestScore worst = scores.stream().min(Comparator.comparingDouble(LatestScore::score)).orElseThrow();
        if (best.score() == worst.score()) {
            return Optional.empty();
        }
        String preferredHash = ContentHash.of(best.completion().content());
        String rejectedHash = ContentHash.of(worst.completion().content());
        StoredCompletion prompt = best.completion();
        return Optional.of(new NewPair(ContentHash.pairKey(prompt.promptHash(), preferredHash, rejectedHash),
                preferredHash, rejectedHash, best.feedbackId() + "," + worst.feedbackId(), prompt.requestId(),
                prompt.task(), criterion, best.score() - worst.score(), Math.max(best.createdAt(), worst.createdAt()),
                best.completion().content(), worst.completion().content()));
    }

    private void recordRegeneration(String feedbackId, long now, RecordFeedbackRequest request)
            throws InvalidConfigException, CompletionNotFoundException {
        Regeneration regeneration = request.getRegeneration();
        if (regeneration.getRejectedCompletionIdsCount() == 0) {
            throw new InvalidConfigException("regeneration.rejected_completion_ids",
                    "at least one rejected completion is required");
        }
        StoredCompletion accepted = completion("regeneration.accepted_completion_id",
                regeneration.getAcceptedCompletionId());
        List<NewPair> pairs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < regeneration.getRejectedCompletionIdsCount(); i++) {
            String field = "regeneration.rejected_completion_ids[" + i + "]";
            StoredCompletion rejected = completion(field, regeneration.getRejectedCompletionIds(i));
            if (rejected.id().equals(accepted.id())) {
                throw new InvalidConfigException(field, "is the accepted completion");
            }
            if (!rejected.promptHash().equals(accepted.promptHash())) {
                throw new InvalidConfigException(field, "answers another prompt than accepted_completion_id");
            }
            if (seen.add(rejected.id())) {
                pairs.add(pair(accepted, accepted.content(), rejected.content(), feedbackId, now));
            }
        }
        store(feedbackId, FeedbackSource.FEEDBACK_SOURCE_REGENERATION, now, request, pairs);
    }

    private void recordEdit(String feedbackId, long now, RecordFeedbackRequest request, String field, Edit edit,
                            FeedbackSource source) throws InvalidConfigException, CompletionNotFoundException {
        StoredCompletion original = completion(field + ".completion_id", edit.getCompletionId());
        store(feedbackId, source, now, request,
                List.of(pair(original, edit.getEditedText(), original.content(), feedbackId, now)));
    }

    private void store(String feedbackId, FeedbackSource source, long now, RecordFeedbackRequest request,
                       List<NewPair> pairs) {
        repository.insertRecord(feedbackId, FeedbackSources.shortName(source), now, request, pairs);
    }

    private static NewPair pair(StoredCompletion prompt, String preferred, String rejected, String feedbackId,
                                long now) {
        String preferredHash = ContentHash.of(preferred);
        String rejectedHash = ContentHash.of(rejected);
        return new NewPair(ContentHash.pairKey(prompt.promptHash(), preferredHash, rejectedHash), preferredHash,
                rejectedHash, feedbackId, prompt.requestId(), prompt.task(), null, null, now, preferred, rejected);
    }

    private StoredCompletion completion(String field, String id)
            throws InvalidConfigException, CompletionNotFoundException {
        if (id.isBlank()) {
            throw new InvalidConfigException(field, "required");
        }
        requireLength(field, id, MAX_ID_CHARS);
        return repository.findCompletion(id).orElseThrow(() -> new CompletionNotFoundException(field, id));
    }

    private static void requireLength(String field, String value, int max) throws InvalidConfigException {
        if (value.length() > max) {
            throw new InvalidConfigException(field, "longer than " + max + " characters (" + value.length() + ")");
        }
    }

    private static String promptHash(PreferenceInput prompt) {
        StringBuilder canonical = new StringBuilder();
        for (FeedbackMessage message : prompt.getMessagesList()) {
            // length-prefixed, so no content can imitate a message boundary
            canonical.append(message.getRole()).append(':').append(message.getContent().length()).append(':')
                    .append(message.getContent()).append('\n');
        }
        return ContentHash.of(canonical.toString());
    }
}
