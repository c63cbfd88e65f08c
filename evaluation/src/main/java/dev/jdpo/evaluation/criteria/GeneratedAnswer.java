package dev.jdpo.evaluation.criteria;

import com.google.gson.JsonObject;

/**
 * What a criterion judges: one generated answer and the prompt row it answers.
 *
 * @param row the prompt row as read (criteria take per-row limits and expected answers from its fields)
 * @param prompt the prompt text the model was given
 * @param text the answer, without the stop token
 * @param tokens generated tokens, the stop token not counted
 */
public record GeneratedAnswer(JsonObject row, String prompt, String text, int tokens) {
}
