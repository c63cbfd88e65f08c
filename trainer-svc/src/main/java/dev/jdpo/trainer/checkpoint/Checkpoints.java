package dev.jdpo.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.jdpo.model.CausalLM;
import dev.jdpo.model.ModelLoadException;
import dev.jdpo.model.SaveOptions;
import dev.jdpo.model.StorageDType;
import dev.jdpo.model.safetensors.SafetensorsFile;
import dev.jdpo.model.safetensors.SafetensorsWriter;
import dev.jdpo.trainer.optim.AdamW;
import dev.jdpo.trainer.optim.LossScaler;
import dev.jdpo.trainer.optim.NoGrad;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoint directories: an HF model directory that transformers loads as is, plus {@code optimizer.safetensors}
 * (AdamW moments, FP32), {@code trainer_state.json}, and {@code master_weights.safetensors} (FP32) whenever the
 * HF weights are saved in a lower dtype, because resuming from rounded weights would leave the trajectory, and
 * {@code scaler.json} (the FP16 loss scaler, as HF's Trainer keeps {@code scaler.pt}) when the run trains in FP16.
 * A checkpoint is written under a temporary name and renamed into place, so a crash never leaves half of one.
 */
public final class Checkpoints {

    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String MASTER_WEIGHTS_FILE = "master_weights.safetensors";
    public static final String SCALER_FILE = "scaler.json";
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    private static final Pattern PARTIAL = Pattern.compile("checkpoint-\\d+\\.partial");

    private Checkpoints() { }

    /** {@code outputDir/checkpoint-<step>}. */
    public static Path directory(Path outputDir, int step) {
        return outputDir.resolve("checkpoint-" + step);
    }

    /**
     * Writes a complete checkpoint to {@code dir}, replacing one that exists there. A save that fails leaves no
     * {@code .partial} folder behind (a full disk would otherwise keep a half-written one).
     *
     * @param state must say {@code masterWeights} exactly when {@link #needsMasterWeights} does
     * @param scaler the FP16 loss scaler's state, or null when the run trains in FP32
     */
    public static void write(Path dir, CausalLM policy, AdamW optimizer, TrainerState state, SaveOptions save,
                             LossScaler.State scaler) throws IOException {
        Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
        deleteTree(partial);
        try {
            Files.createDirectories(partial);
            savePolicy(policy, partial, save);
            SafetensorsWriter.write(partial.resolve(OPTIMIZER_FILE), optimizer.state(), StorageDType.F32);
            if (state.masterWeights()) {
                SafetensorsWriter.write(partial.resolve(MASTER_WEIGHTS_FILE), policy.parameters(), StorageDType.F32);
            }
            if (scaler != null) {
                ScalerJson.write(partial.resolve(SCALER_FILE), scaler);
            }
            state.write(partial);
        } catch (IOException | RuntimeException failed) {
            try {
                deleteTree(partial);
            } catch (IOException cleanup) {
                failed.addSuppressed(cleanup);
            }
            throw failed;
        }
        deleteTree(dir);
        Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * What a checkpoint and {@code final/} hold of the policy: the LoRA adapter in PEFT's format when one is
     * attached (the frozen base is not copied), else the whole model.
     */
    public static void savePolicy(CausalLM policy, Path dir, SaveOptions save) throws IOException {
        if (policy.adapter().isPresent()) {
            policy.saveAdapter(dir);
        } else {
            policy.save(dir, save);
        }
    }

    /** Whether saving with {@code save} rounds the FP32 weights (so the masters must be kept beside them). */
    public static boolean needsMasterWeights(CausalLM policy, SaveOptions save) {
        if (policy.adapter().isPresent()) {
            return false;
        }
        StorageDType dtype = save.dtype() == null ? policy.sourceDType() : save.dtype();
        return dtype != StorageDType.F32;
    }

    /** Loads the saved AdamW moments into {@code optimizer}. */
    public static void restoreOptimizer(Path dir, AdamW optimizer, NDManager manager, int step)
            throws CheckpointException {
        Path file = dir.resolve(OPTIMIZER_FILE);
        try (NDManager scratch = manager.newSubManager()) {
            SafetensorsFile safetensors = SafetensorsFile.open(file);
            Map<String, NDArray> state = new LinkedHashMap<>();
            for (String name : safetensors.entries().keySet()) {
                state.put(name, safetensors.read(name, scratch));
            }
            optimizer.restore(state, step);
        } catch (ModelLoadException | IllegalArgumentException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }

    /** The loss scaler an FP16 run saved in {@code dir}; empty when it trained in FP32. */
    public static Optional<LossScaler.State> readScaler(Path dir) throws CheckpointException {
        Path file = dir.resolve(SCALER_FILE);
        return Files.exists(file) ? Optional.of(ScalerJson.read(file)) : Optional.empty();
    }

    /** Overwrites the policy's weights with the FP32 masters saved beside lower-dtype HF weights. */
    public static void restoreMasterWeights(Path dir, CausalLM policy) throws CheckpointException {
        Path file = dir.resolve(MASTER_WEIGHTS_FILE);
        try (NDManager scratch = policy.manager().newSubManager(); NoGrad noGrad = NoGrad.enter()) {
            SafetensorsFile safetensors = SafetensorsFile.open(file);
            for (Map.Entry<String, NDArray> weight : policy.parameters().entrySet()) {
                if (!safetensors.entries().containsKey(weight.getKey())) {
                    throw new CheckpointException(file + ": no tensor " + weight.getKey());
                }
                NDArray master = safetensors.read(weight.getKey(), scratch);
                if (!master.getShape().equals(weight.getValue().getShape())) {
                    throw new CheckpointException(file + ": tensor " + weight.getKey() + " has shape "
                            + master.getShape() + ", the model's is " + weight.getValue().getShape());
                }
                weight.getValue().set(new NDIndex(":"), master.toDevice(weight.getValue().getDevice(), false));
            }
        } catch (ModelLoadException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
    }

    /** The checkpoint with the highest step under {@code outputDir}, if any. */
    public static Optional<Path> latest(Path outputDir) throws IOException {
        List<Path> all = list(outputDir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Deletes the oldest {@code checkpoint-<step>} directories until at most {@code keep} remain (0 keeps all). */
    public static void prune(Path outputDir, int keep) throws IOException {
        if (keep <= 0) {
            return;
        }
        List<Path> all = list(outputDir);
        for (int i = 0; i < all.size() - keep; i++) {
            deleteTree(all.get(i));
        }
    }

    /**
     * Deletes the {@code checkpoint-<step>.partial} directories a save cut short (a process killed mid-write)
     * left under {@code outputDir}; a complete checkpoint is only ever renamed out of one.
     */
    public static void removePartial(Path outputDir) throws IOException {
        if (!Files.isDirectory(outputDir)) {
            return;
        }
        List<Path> partial;
        try (Stream<Path> children = Files.list(outputDir)) {
            partial = children.filter(p -> Files.isDirectory(p) && PARTIAL.matcher(p.getFileName().toString())
                    .matches()).toList();
        }
        for (Path dir : partial) {
            deleteTree(dir);
        }
    }

    /** Checkpoint directories by ascending step. */
    public static List<Path> list(Path outputDir) throws IOException {
        if (!Files.isDirectory(outputDir)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> children = Files.list(outputDir)) {
            children.filter(p -> Files.isDirectory(p) && NAME.matcher(p.getFileName().toString()).matches())
                    .forEach(found::add);
        }
        found.sort(Comparator.comparingLong(Checkpoints::stepOf));
        return found;
    }

    private static long stepOf(Path dir) {
        Matcher matcher = NAME.matcher(dir.getFileName().toString());
        return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
