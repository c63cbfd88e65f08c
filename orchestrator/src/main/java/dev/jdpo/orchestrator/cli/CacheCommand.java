package dev.jdpo.orchestrator.cli;

import dev.jdpo.reference.cache.CacheStats;
import dev.jdpo.reference.cache.PruneResult;
import dev.jdpo.reference.cache.PruneRule;
import dev.jdpo.reference.cache.ScoreCache;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jdpo cache}: inspect and prune the persistent reference-score cache. */
@Command(name = "cache", mixinStandardHelpOptions = true,
        description = "Inspect and prune the reference-score cache (one file per cache directory).",
        subcommands = {CacheCommand.Stats.class, CacheCommand.Prune.class})
final class CacheCommand extends CommandGroup {

    /** The --cache option both subcommands take. */
    static final class CacheDir {
        @Option(names = "--cache", required = true, paramLabel = "DIR", description = "Cache directory.")
        Path dir;
    }

    /** {@code jdpo cache stats}. */
    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Entries and sizes; per reference checkpoint: fingerprint, entries and model directory.")
    static final class Stats implements Callable<Integer> {

        @Mixin
        CacheDir cache;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try (ScoreCache store = ScoreCache.openForReading(cache.dir, Clock.systemUTC())) {
                PrintWriter out = spec.commandLine().getOut();
                out.println("cache " + cache.dir.resolve(ScoreCache.FILE_NAME)
                        + (store.isCopy() ? " (in use by another process: read from a copy taken now)" : ""));
                printSizes(out, store.stats());
                Map<String, Long> perReference = store.entriesPerReference();
                out.println("references  " + perReference.size());
                perReference.forEach((fingerprint, entries) -> out.println("  " + fingerprint + "  " + entries + "  "
                        + store.modelPath(fingerprint).orElse("(model path not recorded)")));
                out.flush();
                return 0;
            }
        }
    }

    /** {@code jdpo cache prune}. */
    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Remove entries: of one reference, unused for a while, and/or least recently used beyond a size.")
    static final class Prune implements Callable<Integer> {

        @Mixin
        CacheDir cache;

        @Option(names = "--older-than", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "Remove entries not used for this long: 30d, 12h, 90m, 45s or ISO-8601 (P7D).")
        Duration olderThan;

        @Option(names = "--max-size", paramLabel = "BYTES", converter = ByteSizeConverter.class,
                description = "Then remove least recently used entries until the values fit: 500M, 2G, 1048576 "
                        + "(K, M, G, T are powers of 1024; a trailing B or iB is allowed).")
        Long maxSize;

        @Option(names = "--reference-fingerprint", paramLabel = "F",
                description = "Remove every entry of the reference checkpoint with this fingerprint (see cache stats).")
        String referenceFingerprint;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (olderThan == null && maxSize == null && referenceFingerprint == null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "nothing to prune: give --older-than, --max-size and/or --reference-fingerprint");
            }
            Path file = cache.dir.resolve(ScoreCache.FILE_NAME);
            PrintWriter out = spec.commandLine().getOut();
            try (ScoreCache store = ScoreCache.openExisting(cache.dir, Clock.systemUTC())) {
                if (referenceFingerprint != null && !store.entriesPerReference().containsKey(referenceFingerprint)) {
                    spec.commandLine().getErr().println("jdpo: note: no entries for reference " + referenceFingerprint);
                }
                long before = store.stats().fileBytes();
                PruneResult result = store.prune(new PruneRule(referenceFingerprint, olderThan, maxSize));
                out.println("removed     " + result.removedEntries() + " entries, " + bytes(result.removedValueBytes()));
                out.println("entries     " + result.after().entries());
                out.println("values      " + bytes(result.after().valueBytes()));
                out.print("file        " + bytes(before));
            }
            // the file is compacted as the cache closes
            out.println(" -> " + bytes(Files.size(file)));
            out.flush();
            return 0;
        }
    }

    private static void printSizes(PrintWriter out, CacheStats stats) {
        out.println("entries     " + stats.entries());
        out.println("values      " + bytes(stats.valueBytes()));
        out.println("file        " + bytes(stats.fileBytes()));
    }

    /** {@code 1536} as {@code 1.5 KiB (1536 bytes)}. */
    static String bytes(long n) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        if (n < 1024) {
            return n + " bytes";
        }
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s (%d bytes)", value, units[unit], n);
    }

    /** {@code 30d}, {@code 12h}, {@code 90m}, {@code 45s}, or ISO-8601 ({@code P7D}, {@code PT12H}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*([dhms])");

        @Override
        public Duration convert(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            Matcher m = SHORT.matcher(t);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "d" -> Duration.ofDays(n);
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofSeconds(n);
                };
            }
            try {
                Duration d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
                if (!d.isNegative()) {
                    return d;
                }
            } catch (DateTimeParseException ignored) {
                // reported below in the user's words
            }
            throw new CommandLine.TypeConversionException("'" + text + "' is not a duration like 30d, 12h, 90m, 45s or P7D");
        }
    }

    /** Byte counts with optional binary suffixes: {@code 1048576}, {@code 500M}, {@code 2GiB}, {@code 10kb}. */
    static final class ByteSizeConverter implements CommandLine.ITypeConverter<Long> {
        private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?");

        @Override
        public Long convert(String text) {
            Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("'" + text + "' is not a size like 1048576, 500M or 2GiB");
            }
            int shift = switch (m.group(2)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                case "t" -> 40;
                default -> 0;
            };
            try {
                long n = Long.parseLong(m.group(1));
                if (n > (Long.MAX_VALUE >> shift)) {
                    throw new NumberFormatException();
                }
                return n << shift;
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + text + "' is too large");
            }
        }
    }
}
