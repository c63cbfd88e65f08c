package dev.jdpo.model;

/**
 * How the forward pass computes. Weights are always held as FP32 masters.
 *
 * <ul>
 *   <li>{@link #FP32}: everything in FP32 (the CPU default).</li>
 *   <li>{@link #TF32}: the FP32 code path; on CUDA, start the JVM with
 *       {@code TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1} so cuBLAS uses TF32 tensor cores (DJL has no API for
 *       {@code set_float32_matmul_precision}). On CPU it is identical to FP32.</li>
 *   <li>{@link #FP16}: mixed precision: matmuls on FP16 copies of the weights and activations, while norms,
 *       softmax, residual sums and log-softmax stay in FP32.</li>
 * </ul>
 */
public enum Precision {
    FP32,
    TF32,
    FP16
}
