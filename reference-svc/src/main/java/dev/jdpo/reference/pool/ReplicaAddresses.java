package dev.jdpo.reference.pool;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns {@code host:port,host:port} into replica addresses. A host name that resolves to several addresses (a
 * headless Kubernetes service, a DNS round-robin name) becomes one replica per address; loopback names count once,
 * since 127.0.0.1 and ::1 usually reach the same process.
 */
public final class ReplicaAddresses {

    private ReplicaAddresses() {
    }

    /**
     * Resolves a comma-separated list of {@code host:port} (IPv6 hosts in brackets: {@code [::1]:50051}).
     *
     * @throws IllegalArgumentException on an entry without a valid port
     * @throws UnknownHostException when a host does not resolve
     */
    public static List<InetSocketAddress> resolve(String list) throws UnknownHostException {
        Set<InetSocketAddress> out = new LinkedHashSet<>();
        for (String raw : list.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("replica address '" + entry + "' is not host:port");
            }
            String host = entry.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port = port(entry, entry.substring(colon + 1));
            InetAddress[] addresses = InetAddress.getAllByName(host);
            List<InetAddress> chosen = new ArrayList<>(List.of(addresses));
            if (chosen.stream().allMatch(InetAddress::isLoopbackAddress)) {
                chosen = List.of(chosen.get(0));
            }
            for (InetAddress a : chosen) {
                out.add(new InetSocketAddress(a, port));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no replica addresses in '" + list + "'");
        }
        return List.copyOf(out);
    }

    private static int port(String entry, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the entry
        }
        throw new IllegalArgumentException("replica address '" + entry + "' has no valid port (1-65535)");
    }
}
