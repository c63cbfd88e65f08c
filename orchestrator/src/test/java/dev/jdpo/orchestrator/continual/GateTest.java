package dev.jdpo.orchestrator.continual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The promotion rule on pass rates: no criterion may fall by more than the margin. */
class GateTest {

    private static Map<String, Double> rates(double format, double length) {
        Map<String, Double> rates = new LinkedHashMap<>();
        rates.put("format", format);
        rates.put("length", length);
        return rates;
    }

    @Test
    void aFallWithinTheMarginIsPromotedAndAGainElsewhereDoesNotBuyALargerFall() {
        assertTrue(Gate.decide(rates(0.8, 0.5), rates(0.75, 0.9), 0.05).rejection().isEmpty());
        Gate.Verdict fell = Gate.decide(rates(0.8, 0.5), rates(0.7, 1.0), 0.05);
        assertEquals("criterion format: pass rate fell from 0.800 to 0.700, more than the gate's max_pass_rate_drop "
                + "0.050", fell.rejection().orElseThrow());
        assertEquals(0.7, fell.rates().get(0).getAfter());
        assertEquals(1.0, fell.rates().get(1).getAfter());
    }

    @Test
    void marginZeroAcceptsEqualRatesAndANegativeMarginDemandsAGain() {
        assertTrue(Gate.decide(rates(0.3, 0.6), rates(0.3, 0.6), 0).rejection().isEmpty());
        assertTrue(Gate.decide(rates(0.3, 0.6), rates(0.3, 0.6), -0.1).rejection().isPresent());
        assertTrue(Gate.decide(rates(0.3, 0.6), rates(0.4, 0.7), -0.1).rejection().isEmpty());
    }
}
