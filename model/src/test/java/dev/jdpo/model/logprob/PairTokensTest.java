package dev.jdpo.model.logprob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The checks the reference and the trainer both run on a pair, and the sequences it forwards. */
class PairTokensTest {

    private static final PairTokens PAIR = new PairTokens(new int[] {1, 2}, new int[] {3, 4, 5}, new int[] {6});

    @Test
    void sequencesShareThePrompt() {
        assertEquals(new TokenSequence(new int[] {1, 2}, new int[] {3, 4, 5}), PAIR.chosen());
        assertEquals(new TokenSequence(new int[] {1, 2}, new int[] {6}), PAIR.rejected());
    }

    @Test
    void tokenCountCountsThePromptOncePerForwardedSequence() {
        assertEquals(2 + 2 + 3 + 1, PAIR.tokenCount(false));
        assertEquals(2 + 3, PAIR.tokenCount(true));
    }

    @Test
    void overLengthNamesTheFirstSideOverTheLimit() {
        assertEquals(Optional.empty(), PAIR.overLength(5, false));
        assertEquals(Optional.of("prompt_ids + chosen_ids are 5 tokens"), PAIR.overLength(4, false));
        PairTokens longRejected = new PairTokens(new int[] {1, 2}, new int[] {3}, new int[] {4, 5, 6});
        assertEquals(Optional.of("prompt_ids + rejected_ids are 5 tokens"), longRejected.overLength(4, false));
        assertEquals(Optional.empty(), longRejected.overLength(4, true));
    }

    @Test
    void firstIdOutsideLooksAtPromptThenChosenThenRejected() {
        assertTrue(PAIR.firstIdOutside(7).isEmpty());
        assertEquals(Optional.of(new PairTokens.OutOfVocabulary("chosen", 2, 5)), PAIR.firstIdOutside(5));
        PairTokens negative = new PairTokens(new int[] {1, -1}, new int[] {9}, new int[] {0});
        assertEquals(Optional.of(new PairTokens.OutOfVocabulary("prompt", 1, -1)), negative.firstIdOutside(5));
        assertEquals(Optional.of(new PairTokens.OutOfVocabulary("rejected", 0, 6)), PAIR.firstIdOutside(6));
    }
}
