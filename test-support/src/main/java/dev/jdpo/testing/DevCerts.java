package dev.jdpo.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A development CA with server and client certificates and API tokens, made at test time by the project's own
 * {@code bin/jdpo-dev-certs} (openssl), so the tests exercise the documented commands and no key is committed.
 *
 * @param dir where the files are
 */
public record DevCerts(Path dir) {

    /** Runs {@code bin/jdpo-dev-certs dir}; fails with its output when openssl is missing or fails. */
    public static DevCerts create(Path dir) throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("jdpo.repo.root"), "bin", "jdpo-dev-certs");
        Path log = Files.createTempFile("jdpo-dev-certs", ".log");
        Process process = new ProcessBuilder("bash", script.toString(), dir.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("bin/jdpo-dev-certs failed:\n" + Files.readString(log));
        }
        Files.delete(log);
        return new DevCerts(dir);
    }

    public Path ca() {
        return dir.resolve("ca.pem");
    }

    public Path serverCert() {
        return dir.resolve("server.pem");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    public Path clientCert() {
        return dir.resolve("client.pem");
    }

    public Path clientKey() {
        return dir.resolve("client.key");
    }

    /** The hashed tokens file for {@code serve orchestrator --tokens}. */
    public Path tokens() {
        return dir.resolve("tokens.txt");
    }

    public String writeToken() throws IOException {
        return Files.readString(dir.resolve("write.token")).strip();
    }

    public String readToken() throws IOException {
        return Files.readString(dir.resolve("read.token")).strip();
    }
}
