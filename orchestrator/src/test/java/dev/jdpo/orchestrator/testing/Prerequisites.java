package dev.jdpo.orchestrator.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests that need software from outside Maven (Debian packages): without it they are skipped on a developer's
 * machine, but fail when {@code CI} is set, since {@code .ci/run} installs it and a skip would hide a broken check.
 */
public final class Prerequisites {

    private Prerequisites() {
    }

    /** @param missing what is absent and how to install it; {@code ci} is the value of the CI variable */
    public static void require(boolean present, String missing, String ci) {
        if (present) {
            return;
        }
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            fail(missing + " (CI is set, so this test must not be skipped: .ci/run installs it)");
        }
        assumeTrue(false, missing + " to run this test");
    }

    public static void require(boolean present, String missing) {
        require(present, missing, System.getenv("CI"));
    }
}
