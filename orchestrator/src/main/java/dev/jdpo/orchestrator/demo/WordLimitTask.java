package dev.jdpo.orchestrator.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The demo's task, generated from a seed: name something of a category "in at most N words". A compliant answer
 * names it in one word; a violating one goes on to give a reason, past the limit (OpenPipe's word-limit
 * example in miniature). Deterministic: the same seed gives the same prompts, answers and split.
 */
public final class WordLimitTask {

    private static final String[] ASKERS = {"Ann", "Bob", "Cy", "Dee", "Eve", "Fred", "Gus", "Hal", "Ida", "Jo",
        "Kim", "Lou", "Max", "Ned", "Oz", "Pam"};
    private static final String[][] CATEGORIES = {
        {"animal", "dog", "cat", "bird", "goat", "cheetah", "chipmunk"},
        {"color", "red", "blue", "green", "gray", "pink"},
        {"fruit", "apple", "pear", "plum", "lime", "fig"},
        {"number", "one", "two", "three", "seven", "ten"},
        {"tree", "oak", "pine", "elm", "ash", "fir"},
        {"drink", "tea", "milk", "water", "juice"},
        {"tool", "saw", "hammer", "drill", "axe"},
        {"place", "home", "park", "school", "lake"},
    };
    private static final String[] REASONS = {"it is the most correct choice here", "she would learn more of it",
        "all of the words were spotted on it", "he is hunting for some of them", "it is what your question asks",
        "the number of them is more than three", "we see it here all the time"};
    /** Limits a prompt states; a compliant answer (one word) is within all, a violating one (7+) over all. */
    private static final int MIN_LIMIT = 2;
    private static final int MAX_LIMIT = 5;

    private WordLimitTask() {
    }

    /** How many distinct prompts the task has. */
    public static int promptCount() {
        return ASKERS.length * CATEGORIES.length * (MAX_LIMIT - MIN_LIMIT + 1);
    }

    /**
     * {@code train + heldOut} distinct prompts in a seeded order, the first {@code train} for training; a share
     * {@code violatingShare} of the training prompts carry the violating answer in the supervised stage.
     */
    public static TaskSplit generate(long seed, int train, int heldOut, double violatingShare) {
        if (train <= 0 || heldOut <= 0 || train + heldOut > promptCount()) {
            throw new IllegalArgumentException("train and held-out prompts must be positive and together at most "
                    + promptCount() + ", got " + train + " and " + heldOut);
        }
        Random random = new Random(seed);
        List<int[]> combinations = new ArrayList<>();
        for (int asker = 0; asker < ASKERS.length; asker++) {
            for (int category = 0; category < CATEGORIES.length; category++) {
                for (int limit = MIN_LIMIT; limit <= MAX_LIMIT; limit++) {
                    combinations.add(new int[] {asker, category, limit});
                }
            }
        }
        Collections.shuffle(combinations, random);
        List<TaskExample> examples = new ArrayList<>(train + heldOut);
        for (int i = 0; i < train + heldOut; i++) {
            int[] c = combinations.get(i);
            examples.add(example(c[0], c[1], c[2], random.nextDouble() < violatingShare, random));
        }
        return new TaskSplit(examples.subList(0, train), examples.subList(train, train + heldOut));
    }

    private static TaskExample example(int asker, int category, int limit, boolean sftViolates, Random random) {
        String[] words = CATEGORIES[category];
        String prompt = "Question: " + ASKERS[asker] + " asks you to name a " + words[0] + " in at most " + limit
                + " words.\nAnswer:";
        String thing = words[1 + random.nextInt(words.length - 1)];
        String reason = REASONS[random.nextInt(REASONS.length)];
        return new TaskExample(prompt, limit, " " + thing + ".", " " + thing + " because " + reason + ".",
                sftViolates);
    }
}
