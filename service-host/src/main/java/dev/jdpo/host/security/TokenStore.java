package dev.jdpo.host.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API tokens a server accepts, stored hashed: a file of lines {@code <sha256-hex> <read|write> [name]}
 * ({@code #} starts a comment), so the file on disk grants nothing to whoever reads it.
 */
public final class TokenStore {

    /** What a token may do: {@code READ} calls only the reading methods, {@code WRITE} every method. */
    public enum Role { READ, WRITE }

    private final Map<String, Role> rolesByHash;

    private TokenStore(Map<String, Role> rolesByHash) {
        this.rolesByHash = Map.copyOf(rolesByHash);
    }

    /** Reads a token file; errors name the file and the line. */
    public static TokenStore read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, Role> roles = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            String where = file + " line " + (i + 1);
            if (fields.length < 2 || !fields[0].matches("[0-9a-f]{64}")) {
                throw new IOException(where + ": expected \"<sha256-hex> <read|write> [name]\"");
            }
            Role role = switch (fields[1]) {
                case "read" -> Role.READ;
                case "write" -> Role.WRITE;
                default -> throw new IOException(where + ": the role must be read or write");
            };
            roles.put(fields[0], role);
        }
        if (roles.isEmpty()) {
            throw new IOException(file + ": holds no token; a server with no token would refuse every call");
        }
        return new TokenStore(roles);
    }

    /** The hex SHA-256 of a token, as the file stores it. */
    public static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JVM has SHA-256", impossible);
        }
    }

    /** The role of a presented token, empty for an unknown one. */
    public Optional<Role> roleOf(String token) {
        return Optional.ofNullable(rolesByHash.get(hash(token)));
    }
}
