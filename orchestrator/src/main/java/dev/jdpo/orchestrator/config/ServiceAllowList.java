package dev.jdpo.orchestrator.config;

import dev.jdpo.host.EchoLimit;
import dev.jdpo.proto.v1.ServicesConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The service addresses a run config may name ({@code jdpo.security.allowed-services}). The orchestrator connects
 * only to these, never to whatever a client writes into a run; with no list, only loopback addresses are allowed,
 * so a default install reaches nothing on the network on a client's behalf.
 */
public final class ServiceAllowList {

    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final Set<String> allowed;

    public ServiceAllowList(List<String> allowed) {
        this.allowed = Set.copyOf(allowed.stream().map(String::trim).toList());
    }

    /** Refuses (INVALID_ARGUMENT) every address of {@code services} that is not allowed, naming its field. */
    public void check(ServicesConfig services) throws InvalidConfigException {
        List<ConfigViolation> refused = new ArrayList<>();
        check("services.tokenizer_address", services.getTokenizerAddress(), refused);
        check("services.trainer_address", services.getTrainerAddress(), refused);
        for (int i = 0; i < services.getReferenceAddressesCount(); i++) {
            for (String address : services.getReferenceAddresses(i).split(",")) {
                check("services.reference_addresses[" + i + "]", address, refused);
            }
        }
        if (!refused.isEmpty()) {
            throw new InvalidConfigException(refused);
        }
    }

    private void check(String field, String address, List<ConfigViolation> refused) {
        String trimmed = address.trim();
        if (trimmed.isEmpty() || allowed.contains(trimmed) || allowed.isEmpty() && isLoopback(trimmed)) {
            return;
        }
        refused.add(new ConfigViolation(field, EchoLimit.value(trimmed) + " is not one of this orchestrator's "
                + "services (serve orchestrator --allowed-service" + (allowed.isEmpty()
                ? "; without it only loopback addresses are allowed)" : ")")));
    }

    private static boolean isLoopback(String address) {
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? address : address.substring(0, colon);
        return LOOPBACK_HOSTS.contains(host) || host.startsWith("127.") && host.matches("127(\\.\\d{1,3}){3}");
    }
}
