package dev.jdpo.orchestrator.demo;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.util.Locale;

/**
 * The demo's outcome: the violation rates on the held-out prompts after the supervised stage (before DPO) and
 * after DPO.
 */
public record DemoResult(long seed, Measurement before, Measurement after) {

    /** How much of the violation rate DPO removed (1 = all of it); 0 when there was none to remove. */
    public double relativeReduction() {
        return before.violationRate() == 0 ? 0 : 1 - after.violationRate() / before.violationRate();
    }

    /** The before/after table {@code jdpo demo} prints. */
    public String table() {
        String row = "%-12s %10s %15s%n";
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "held-out prompts: %d (seed %d); a violation: more words than the "
                + "prompt allows, or no answer (criteria.yaml)%n", before.total(), seed));
        text.append(String.format(Locale.ROOT, row, "model", "violations", "violation rate"));
        text.append(String.format(Locale.ROOT, row, "before DPO", before.violations() + "/" + before.total(),
                percent(before.violationRate())));
        text.append(String.format(Locale.ROOT, row, "after DPO", after.violations() + "/" + after.total(),
                percent(after.violationRate())));
        text.append(String.format(Locale.ROOT, "violation rate before %s after %s (%s relative)%n",
                percent(before.violationRate()), percent(after.violationRate()), percent(-relativeReduction())));
        return text.toString();
    }

    /** The same numbers as JSON, for scripts. */
    public String json() {
        JsonObject object = new JsonObject();
        object.addProperty("seed", seed);
        object.addProperty("held_out_prompts", before.total());
        object.add("before", rates(before));
        object.add("after", rates(after));
        object.addProperty("relative_reduction", relativeReduction());
        return new GsonBuilder().setPrettyPrinting().create().toJson(object) + "\n";
    }

    private static JsonObject rates(Measurement measurement) {
        JsonObject object = new JsonObject();
        object.addProperty("violations", measurement.violations());
        object.addProperty("violation_rate", measurement.violationRate());
        return object;
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }
}
