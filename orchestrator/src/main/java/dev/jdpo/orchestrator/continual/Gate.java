package dev.jdpo.orchestrator.continual;

import dev.jdpo.proto.v1.CriterionPassRate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The promotion rule: no criterion's pass rate may fall by more than the margin. */
final class Gate {

    /** The pass rates side by side, and why the round's model is not promoted (empty when it is). */
    record Verdict(List<CriterionPassRate> rates, Optional<String> rejection) {
    }

    private Gate() {
    }

    /** {@code before}: the promoted model's rates; {@code after}: the round's model's, same criteria. */
    static Verdict decide(Map<String, Double> before, Map<String, Double> after, double maxDrop) {
        List<CriterionPassRate> rates = new ArrayList<>();
        String rejection = null;
        for (Map.Entry<String, Double> entry : before.entrySet()) {
            double was = entry.getValue();
            double now = after.getOrDefault(entry.getKey(), 0.0);
            rates.add(CriterionPassRate.newBuilder().setCriterion(entry.getKey()).setBefore(was).setAfter(now).build());
            // a tiny tolerance, so a margin of 0 accepts equal rates whatever the rounding of the fractions
            if (rejection == null && was - now > maxDrop + 1e-9) {
                rejection = String.format(Locale.ROOT, "criterion %s: pass rate fell from %.3f to %.3f, more than "
                        + "the gate's max_pass_rate_drop %.3f", entry.getKey(), was, now, maxDrop);
            }
        }
        return new Verdict(rates, Optional.ofNullable(rejection));
    }
}
