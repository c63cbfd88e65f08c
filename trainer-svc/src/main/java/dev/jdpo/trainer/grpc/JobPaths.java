package dev.jdpo.trainer.grpc;

import dev.jdpo.host.EchoLimit;
import dev.jdpo.host.security.PathRoots;
import java.nio.file.Path;

/**
 * Where a trainer lets its callers point it: models and checkpoints are read under the read roots (a checkpoint in
 * a write root counts too), output directories are written only under the write roots. Others get
 * PERMISSION_DENIED, whoever sends the job.
 *
 * @param read  the read roots
 * @param write the write roots
 */
public record JobPaths(PathRoots read, PathRoots write) {

    void check(JobSpec job) throws TrainFailure {
        if (job.policyDir() != null && !read.contains(job.policyDir())) {
            throw denied("policy_path", job.policyDir(), "read");
        }
        if (job.resumeFrom() != null && !read.contains(job.resumeFrom()) && !write.contains(job.resumeFrom())) {
            throw denied("output.resume_from_checkpoint", job.resumeFrom(), "read");
        }
        if (job.evaluation() != null && job.evaluation().promptsFile() != null
                && !read.contains(job.evaluation().promptsFile())) {
            throw denied("evaluation.prompts_file", job.evaluation().promptsFile(), "read");
        }
        if (!write.contains(job.outputDir())) {
            throw denied("output.output_dir", job.outputDir(), "write");
        }
    }

    private static TrainFailure denied(String field, Path path, String kind) {
        return TrainFailure.pathNotAllowed(field, field + ": " + EchoLimit.value(path.toString())
                + " is outside this trainer's " + kind + " roots (--" + kind + "-root)");
    }
}
