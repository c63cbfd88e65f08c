package dev.jdpo.orchestrator.demo;

import java.util.List;

/**
 * The demo's data: prompts to train on and held-out prompts, disjoint.
 *
 * @param train prompts for the supervised stage and the preference pairs
 * @param heldOut prompts the before/after violation rates are measured on
 */
public record TaskSplit(List<TaskExample> train, List<TaskExample> heldOut) {

    public TaskSplit {
        train = List.copyOf(train);
        heldOut = List.copyOf(heldOut);
    }
}
