package dev.jdpo.tokenizer.bench;

import dev.jdpo.tokenizer.pipeline.BadLinePolicy;
import dev.jdpo.tokenizer.pipeline.DataOptions;
import dev.jdpo.tokenizer.pipeline.PairEncoder;
import dev.jdpo.tokenizer.pipeline.PreferenceDataset;
import dev.jdpo.tokenizer.pipeline.ValidationReport;
import dev.jdpo.tokenizer.text.TextTokenizer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Validation throughput and memory on a large generated file: one streaming pass, nothing but the duplicate
 * filter and the report held. Usage: {@code ValidateBench MODEL_DIR FILE LINES FORMAT REPEATS} where FORMAT is
 * trl-standard (text pairs) or openai (chat pairs through the template); the file is generated when missing.
 */
public final class ValidateBench {

    private ValidateBench() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path file = Path.of(args[1]);
        int lines = Integer.parseInt(args[2]);
        String format = args[3];
        int repeats = Integer.parseInt(args[4]);
        if (!Files.exists(file)) {
            generate(file, lines, format);
        }
        System.out.printf("file %s: %d lines, %.1f MB, format %s, max heap %d MB%n", file, lines,
                Files.size(file) / 1e6, format, Runtime.getRuntime().maxMemory() >> 20);
        List<Double> seconds = new ArrayList<>();
        try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
            DataOptions options = DataOptions.defaults().withPolicy(BadLinePolicy.SKIP);
            for (int r = 0; r < repeats; r++) {
                resetPeaks();
                long start = System.nanoTime();
                ValidationReport report = new PreferenceDataset(new PairEncoder(tokenizer), options)
                        .validate(file, entry -> { });
                double s = (System.nanoTime() - start) / 1e9;
                seconds.add(s);
                System.out.printf("run %d: %.2f s, %.0f lines/s, pairs %d, bad rows %d, duplicates %d, peak heap %d MB%n",
                        r + 1, s, report.rowsRead() / s, report.pairs(), report.badRows(), report.duplicatesRemoved(),
                        peakHeapBytes() >> 20);
            }
        }
        List<Double> sorted = new ArrayList<>(seconds);
        Collections.sort(sorted);
        double median = sorted.get(sorted.size() / 2);
        System.out.printf("median %.2f s = %.0f lines/s over %d runs%n", median, lines / median, repeats);
    }

    private static void generate(Path file, int lines, String format) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < lines; i++) {
                int a = i % 1000;
                int b = i / 1000;
                String question = "What is " + a + " + " + b + "? Answer:";
                String chosen = " " + (a + b) + ".";
                String rejected = " " + (a + b + 1) + ".";
                if (format.equals("openai")) {
                    out.write("{\"input\": {\"messages\": [{\"role\": \"system\", \"content\": \"You are a chatbot "
                            + "assistant.\"}, {\"role\": \"user\", \"content\": \"" + question + "\"}]}, "
                            + "\"preferred_output\": [{\"role\": \"assistant\", \"content\": \"" + chosen.strip()
                            + "\"}], \"non_preferred_output\": [{\"role\": \"assistant\", \"content\": \""
                            + rejected.strip() + "\"}]}\n");
                } else {
                    out.write("{\"prompt\": \"" + question + "\", \"chosen\": \"" + chosen + "\", \"rejected\": \""
                            + rejected + "\"}\n");
                }
            }
        }
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    /** Sum of the heap pools' peaks since the last reset: an upper bound of the live heap during the pass. */
    private static long peakHeapBytes() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}
