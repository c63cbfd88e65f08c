package dev.jdpo.orchestrator.demo;

/**
 * One prompt of the demo's task with a compliant and a violating answer.
 *
 * @param prompt the question, which states the word limit
 * @param maxWords the limit the prompt states
 * @param compliant an answer within the limit
 * @param violating an answer over the limit
 * @param sftViolates whether the supervised stage trains on the violating answer (else on the compliant one)
 */
public record TaskExample(String prompt, int maxWords, String compliant, String violating, boolean sftViolates) {

    /** The answer the supervised stage learns. */
    public String sftAnswer() {
        return sftViolates ? violating : compliant;
    }
}
