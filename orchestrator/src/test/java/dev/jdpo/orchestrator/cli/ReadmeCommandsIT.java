package dev.jdpo.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README's commands run as written: each {@code bin/jdpo} command of its {@code ```bash} blocks runs, in order,
 * through the packaged CLI (hence an integration test, after {@code package}) in a scratch copy of {@code bin/} and
 * {@code examples/}, with the run state in a scratch directory, and must succeed. A command ending in {@code &} is a
 * server: it is started, waited for on its port ({@code --port}, or its service's default), and stopped when its
 * block is done. A block's shell variable assignments apply to its later commands. Other commands are skipped and listed: {@code mvn} is this test suite itself, and other tools'
 * clients have tests of their own.
 */
class ReadmeCommandsIT {

    private static final Pattern BASH_BLOCK = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern PORT = Pattern.compile("(?<![\\w-])--port[\\s=]+(\\d+)");
    private static final Pattern SERVE = Pattern.compile("^bin/jdpo serve (\\w+)");
    private static final Pattern ASSIGNMENT = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*=(\\S*|\"[^\"]*\")$");
    private static final Pattern TRAILING_COMMENT = Pattern.compile("\\s+#.*$");
    private static final long COMMAND_MINUTES = 8;
    private static final long SERVER_START_SECONDS = 180;

    @TempDir
    Path work;

    private static Path repoRoot() {
        return Path.of(System.getProperty("jdpo.repo.root", "..")).toAbsolutePath().normalize();
    }

    /** The commands of each bash block: continuation lines joined, comments and blank lines dropped. */
    static List<List<String>> commandBlocks(String readme) {
        List<List<String>> blocks = new ArrayList<>();
        Matcher block = BASH_BLOCK.matcher(readme);
        while (block.find()) {
            List<String> commands = new ArrayList<>();
            StringBuilder command = new StringBuilder();
            for (String line : block.group(1).split("\n")) {
                String text = TRAILING_COMMENT.matcher(line.startsWith("#") ? "" : line).replaceFirst("").strip();
                if (text.endsWith("\\")) {
                    command.append(text, 0, text.length() - 1).append(' ');
                    continue;
                }
                command.append(text);
                if (!command.toString().isBlank()) {
                    commands.add(command.toString().strip());
                }
                command.setLength(0);
            }
            blocks.add(commands);
        }
        return blocks;
    }

    @Test
    void everyJdpoCommandOfTheReadmeRunsAsWritten() throws Exception {
        Path root = repoRoot();
        copyTree(root.resolve("bin"), work.resolve("bin"));
        copyTree(root.resolve("examples"), work.resolve("examples"));
        // bin/jdpo runs orchestrator/target's jar, the one `package` just built
        Files.createSymbolicLink(work.resolve("orchestrator"), root.resolve("orchestrator"));
        List<String> ran = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (List<String> block : commandBlocks(Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8))) {
            List<Process> servers = new ArrayList<>();
            // a block's shell variables (C=/tmp/...) hold for the commands after them in that block
            StringBuilder variables = new StringBuilder();
            try {
                for (String command : block) {
                    if (ASSIGNMENT.matcher(command).matches()) {
                        variables.append(command).append('\n');
                    } else if (!command.startsWith("bin/jdpo ") && !command.startsWith("bin/jdpo-")) {
                        skipped.add(command);
                    } else if (command.endsWith("&")) {
                        String server = command.substring(0, command.length() - 1).strip();
                        servers.add(startServer(variables + server, port(server), ran.size()));
                        ran.add(command);
                    } else {
                        run(variables + command, ran.size());
                        ran.add(command);
                    }
                }
            } finally {
                servers.forEach(ReadmeCommandsIT::stop);
            }
        }
        System.out.println("README commands run: " + ran.size() + "; skipped (not jdpo's): " + skipped);
        assertTrue(ran.stream().anyMatch(c -> c.startsWith("bin/jdpo train --config examples/quickstart.yaml")), "the "
                + "quick start was found and run: " + ran);
        assertTrue(ran.stream().anyMatch(c -> c.startsWith("bin/jdpo submit ")), "the four-process example: " + ran);
        assertTrue(Files.isRegularFile(work.resolve("runs/quickstart/final/config.json")), "the quick start's model");
    }

    private ProcessBuilder shell(String command, int index) {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(log(index).toFile());
        // run state in the scratch dir, never ~/.jdpo; libtorch on one thread, as in the other tests
        builder.environment().put("JDPO_STATE_DIR", work.resolve("state").toString());
        builder.environment().put("JDPO_JAVA_OPTS",
                "-Xmx1g -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1");
        return builder;
    }

    private Path log(int index) {
        return work.resolve("command-" + index + ".log");
    }

    private void run(String command, int index) throws Exception {
        Process process = shell(command, index).start();
        if (!process.waitFor(COMMAND_MINUTES, TimeUnit.MINUTES)) {
            stop(process);
            fail("`" + command + "` did not finish in " + COMMAND_MINUTES + " minutes:\n" + tail(index));
        }
        if (process.exitValue() != 0) {
            fail("`" + command + "` exited with " + process.exitValue() + ":\n" + tail(index));
        }
    }

    private Process startServer(String command, int port, int index) throws Exception {
        if (port < 0) {
            return shell(command, index).start();
        }
        try (ServerSocket free = new ServerSocket(port)) {
            // bound and released: nothing else listens there
        } catch (IOException inUse) {
            fail("port " + port + " is in use, and the README's `" + command + "` needs it");
        }
        Process process = shell(command, index).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SERVER_START_SECONDS);
        while (!listening(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                stop(process);
                fail("`" + command + "` did not start listening on port " + port + ":\n" + tail(index));
            }
            Thread.sleep(250);
        }
        return process;
    }

    /** The port a background command serves on: its --port, else its service's default; -1 when it serves none. */
    private static int port(String command) {
        Matcher port = PORT.matcher(command);
        if (port.find()) {
            return Integer.parseInt(port.group(1));
        }
        Matcher serve = SERVE.matcher(command);
        if (!serve.find()) {
            return -1;
        }
        CommandLine service = JdpoCli.newCommandLine().getSubcommands().get("serve").getSubcommands()
                .get(serve.group(1));
        return service == null ? -1 : Integer.parseInt(service.getCommandSpec().findOption("--port").defaultValue());
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** SIGTERM to the command and what it started (a service's graceful stop), then a kill after 30 s. */
    private static void stop(Process process) {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : all) {
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception stillRunning) {
                handle.destroyForcibly();
            }
        }
    }

    private String tail(int index) throws IOException {
        String text = Files.readString(log(index), StandardCharsets.UTF_8);
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
