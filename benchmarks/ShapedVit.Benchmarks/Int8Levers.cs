using Microsoft.ML.OnnxRuntime;
using ShapedVit.Inference;
using ShapedVit.Quantization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>
/// Where the int8 path's time goes, per ViT-B/16 block GEMM (qkv, proj, fc1 with GELU, fc2) at 197 and 1,576 rows, each
/// part timed in alternating rounds in one process: the whole call through the seam (<see cref="Int8PackedWeight"/>),
/// its parts (the weight checksum, the activation quantizer with and without its second thread, oneDNN's u8 x s8 inner
/// product on an already quantized input), oneDNN's float32 path on the same shape, fbgemm's int8 linear (which
/// quantizes the input itself) with the per-channel scales applied after it, and ONNX Runtime's DynamicQuantizeMatMul as
/// a one-node model (from <c>make_int8_gemm_models.py</c>; skipped where missing).
/// </summary>
internal static class Int8Levers
{
    /// <summary>The nominal u8 x s8 peak assumed for the two cores: 2 x 2.6 GHz x 256 ops per cycle (two 512-bit VPDPBUSD).</summary>
    private const double NominalPeakGops = 2 * 2.6 * 256;

    public static void Run(Report report, Options options)
    {
        report.Heading("int8 levers per ViT-B/16 GEMM, alternating in one process (inference mode)");
        if (CpuInference.Native is not { } gemm || CpuInference.OneDnn is not { } onednn)
        {
            report.Line($"The int8 path is unavailable: {Int8Inference.Status}.");
            return;
        }
        CpuAllocator.EnsureTuned(); // as at a model's first inference forward
        var fbgemm = CpuInference.Fbgemm;
        string modelDirectory = Path.Combine(ShapedVit.Testing.RepositoryRoot.Path, "artifacts", "int8-gemm-onnx");
        bool haveOrt = File.Exists(Path.Combine(modelDirectory, "fc2.onnx"));
        report.Line($"CPU: {Harness.CpuModel()} ({CpuInference.Capabilities}); torch threads {torch.get_num_threads()}; int8: {Int8Inference.Status}; " +
                    $"fbgemm: {(fbgemm is null ? NativeFbgemm.FailureReason : "available")}; ORT one-node models: " +
                    $"{(haveOrt ? modelDirectory : "missing (run /usr/bin/python3 benchmarks/ShapedVit.Benchmarks/make_int8_gemm_models.py)")}. " +
                    $"GOP/s counts 2 x rows x in x out; nominal u8 x s8 peak {NominalPeakGops:F0} GOP/s (2 cores x 2.6 GHz x 256).");
        var rows = new List<string[]>();
        var notes = new List<string>();
        var cpu = CpuInference.Capabilities;
        foreach (int tokens in new[] { 197, 1576 })
        foreach (var (name, inFeatures, outFeatures) in new (string, long, long)[] { ("qkv", 768, 2304), ("proj", 768, 768), ("fc1", 768, 3072), ("fc2", 3072, 768) })
        {
            using var scope = NewDisposeScope();
            using var noGrad = torch.no_grad();
            bool gelu = name == "fc1";
            torch.manual_seed(7);
            var weight = new Parameter((torch.randn(outFeatures, inFeatures) * 0.02).contiguous(), requires_grad: false);
            var bias = new Parameter(torch.randn(outFeatures) * 0.02, requires_grad: false);
            // LayerNorm outputs feed qkv and fc1, attention outputs proj, GELU outputs fc2.
            var input = name == "fc2" ? nn.functional.gelu(torch.randn(tokens, inFeatures)) : torch.randn(tokens, inFeatures);
            PackedWeight? slot = null, fbgemmSlot = null;
            using var seamOutput = Int8PackedWeight.Forward(gemm, onednn, weight, bias, ref slot, input, cpu, gelu)!;
            using var fbgemmSeamOutput = fbgemm is null ? null : Int8PackedWeight.Forward(gemm, onednn, weight, bias, ref fbgemmSlot, input, cpu, gelu, fbgemm);
            using var blocked = onednn.ReorderLinearWeight(weight);
            int levels = Int8PackedWeight.LevelsFor(cpu);
            var (quantizedWeight, scales) = Int8PackedWeight.QuantizeWeight(weight, levels);
            using var qPacked = onednn.QLinearPrepack(quantizedWeight);
            using var qScales = onednn.Own(scales);
            using var qZeros = onednn.Own(torch.zeros(outFeatures, ScalarType.Int64));
            var quantizedInput = torch.empty(input.shape, ScalarType.Byte);
            var (scale, zeroPoint) = Quantize(gemm, input, quantizedInput, parallel: true);
            var scaleTensor = torch.tensor(scale);
            var zeroPointTensor = torch.tensor((int)zeroPoint);
            var floatOutput = onednn.Linear(input, blocked, bias, gelu);

            NativeFbgemm.PackedMatrix? fbPacked = fbgemm?.Pack(quantizedWeight);
            var offsets = NativeFbgemm.ColumnOffsets(quantizedWeight);
            var zeroBias = torch.zeros(outFeatures);
            var paddedWeight = torch.cat(new[] { quantizedWeight, torch.zeros(new long[] { 16, inFeatures }, ScalarType.Int8) }, 0);
            NativeFbgemm.PackedMatrix? fbPaddedPacked = fbgemm?.Pack(paddedWeight);
            var paddedOffsets = NativeFbgemm.ColumnOffsets(paddedWeight);
            var paddedZeroBias = torch.zeros(outFeatures + 16);
            Tensor Fbgemm()
            {
                var biasOverScale = bias.div(scales);
                var y = fbgemm!.Linear(input, quantizedWeight, fbPacked!, offsets, biasOverScale).mul_(scales);
                biasOverScale.Dispose();
                return gelu ? y.gelu_() : y;
            }
            if (fbgemm is not null)
                using (var fb = Fbgemm())
                    notes.Add($"{name} {tokens} rows: the seam on fbgemm differs from the seam on oneDNN by {(fbgemmSeamOutput! - seamOutput).abs().max().item<float>():E2}; " +
                              $"fbgemm on the raw input (its own quantization, libtorch's GELU) by {(fb - seamOutput).abs().max().item<float>():E2}; the seam from float32 by " +
                              $"{(seamOutput - floatOutput).abs().max().item<float>():E2} (outputs up to {floatOutput.abs().max().item<float>():F2})");

            InferenceSession? session = null;
            OrtValue? ortInput = null, ortOutput = null;
            if (haveOrt)
            {
                session = new InferenceSession(Path.Combine(modelDirectory, name + ".onnx"), new SessionOptions
                {
                    GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                    IntraOpNumThreads = options.Threads,
                    InterOpNumThreads = 1,
                    ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                });
                ortInput = OrtValue.CreateTensorValueFromMemory(input.data<float>().ToArray(), new long[] { tokens, inFeatures });
                ortOutput = OrtValue.CreateTensorValueFromMemory(new float[tokens * outFeatures], new long[] { tokens, outFeatures });
            }
            using var runOptions = new RunOptions();

            int calls = tokens < 1000 ? 10 : 2;
            var freshScale = torch.empty(0);
            var actions = new List<(string Name, Action Action)>
            {
                ("seam, oneDNN, quantizer on 2 threads (before)", () =>
                {
                    ActivationQuantizer.Threaded = true;
                    try { for (int i = 0; i < calls; i++) Int8PackedWeight.Forward(gemm, onednn, weight, bias, ref slot, input, cpu, gelu)!.Dispose(); }
                    finally { ActivationQuantizer.Threaded = false; }
                }),
                ("seam, oneDNN, quantizer on the calling thread", () => { for (int i = 0; i < calls; i++) Int8PackedWeight.Forward(gemm, onednn, weight, bias, ref slot, input, cpu, gelu)!.Dispose(); }),
                ("weight checksum (float32)", () => { for (int i = 0; i < calls; i++) { WeightChecksum.Compute(gemm.Data(weight), weight.numel() * 4); GC.KeepAlive(weight); } }),
                ("quantize input, 2 threads", () => { for (int i = 0; i < calls; i++) { using var q = torch.empty(input.shape, ScalarType.Byte); Quantize(gemm, input, q, parallel: true); } }),
                ("quantize input, calling thread", () => { for (int i = 0; i < calls; i++) { using var q = torch.empty(input.shape, ScalarType.Byte); Quantize(gemm, input, q, parallel: false); } }),
                ("oneDNN qlinear on the quantized input", () => { for (int i = 0; i < calls; i++) onednn.QLinear(quantizedInput, scaleTensor, zeroPointTensor, qPacked, qScales, qZeros, bias, gelu).Dispose(); }),
                ("oneDNN qlinear, then the weight checksum (threads, as in the seam)", () => { for (int i = 0; i < calls; i++) { onednn.QLinear(quantizedInput, scaleTensor, zeroPointTensor, qPacked, qScales, qZeros, bias, gelu).Dispose(); WeightChecksum.Compute(gemm.Data(weight), weight.numel() * 4); GC.KeepAlive(weight); } }),
                ("oneDNN qlinear, then the checksum's reads on the calling thread (1 MiB pieces)", () => { for (int i = 0; i < calls; i++) { onednn.QLinear(quantizedInput, scaleTensor, zeroPointTensor, qPacked, qScales, qZeros, bias, gelu).Dispose(); ChecksumOnCallingThread(gemm, weight); } }),
                ("oneDNN qlinear on a fresh copy of the quantized input, new scale tensors, each call", () => { for (int i = 0; i < calls; i++) { using var fresh = quantizedInput.clone(); using var s = torch.tensor(scale); using var z = torch.tensor((int)zeroPoint); onednn.QLinear(fresh, s, z, qPacked, qScales, qZeros, bias, gelu).Dispose(); } }),
                ("oneDNN qlinear, a new input scale each call", () => { for (int i = 0; i < calls; i++) { using var fresh = torch.tensor(scale * (1 + 1e-6f * (i + 1))); onednn.QLinear(quantizedInput, fresh, zeroPointTensor, qPacked, qScales, qZeros, bias, gelu).Dispose(); } }),
                ("float32 oneDNN blocked", () => { for (int i = 0; i < calls; i++) onednn.Linear(input, blocked, bias, gelu).Dispose(); }),
            };
            if (fbgemm is not null)
            {
                if (!gelu) actions.Insert(2, ("seam, fbgemm kernel (calling thread)", () => { for (int i = 0; i < calls; i++) Int8PackedWeight.Forward(gemm, onednn, weight, bias, ref fbgemmSlot, input, cpu, gelu, fbgemm)!.Dispose(); }));
                actions.Add(("snap input to its codes (fbgemm seam's quantizer, calling thread)", () => { for (int i = 0; i < calls; i++) { using var q = torch.empty(input.shape); Snap(gemm, input, q); } }));
                actions.Add(("copy of the output (the next row's base)", () => { for (int i = 0; i < calls; i++) floatOutput.clone().Dispose(); }));
                actions.Add(("copy, then epilogue: scales, bias" + (gelu ? ", GELU" : "") + " (C#, calling thread)", () => { for (int i = 0; i < calls; i++) { using var y = floatOutput.clone(); Epilogue(gemm, y, scales, bias, gelu); } }));
                actions.Add(("fbgemm, libtorch mul_ after" + (gelu ? ", libtorch GELU" : ""), () => { for (int i = 0; i < calls; i++) Fbgemm().Dispose(); }));
                actions.Add(("fbgemm int8 alone", () => { for (int i = 0; i < calls; i++) fbgemm.Linear(input, quantizedWeight, fbPacked!, offsets, zeroBias).Dispose(); }));
                actions.Add(("fbgemm int8 alone, 16 more output columns", () => { for (int i = 0; i < calls; i++) fbgemm.Linear(input, paddedWeight, fbPaddedPacked!, paddedOffsets, paddedZeroBias).Dispose(); }));
            }
            if (session is not null)
                actions.Add(("ORT DynamicQuantizeMatMul (no GELU)", () => { for (int i = 0; i < calls; i++) session.Run(runOptions, new[] { "X" }, new[] { ortInput! }, new[] { "Y" }, new[] { ortOutput! }); }));

            var timings = Harness.MeasureInterleaved(options.Warmups, options.Repetitions, actions.ToArray());
            double ops = 2.0 * tokens * inFeatures * outFeatures;
            double seam = timings[0].Median;
            foreach (var t in timings)
            {
                bool product = !t.Name.Contains("checksum") && !t.Name.StartsWith("quantize");
                rows.Add(new[] { name, tokens.ToString(), t.Name, Harness.Format(t.Median * 1000 / calls, 3),
                                 product ? Harness.Format(ops * calls / t.Median / 1e9, 0) : "",
                                 product ? Harness.Format(ops * calls / t.Median / 1e9 / NominalPeakGops, 2) : "",
                                 Harness.Format(t.Median / seam), Harness.Format(t.CpuShare), Harness.Format(t.LoadAfter) });
            }
            PackedWeight.Release(ref slot);
            PackedWeight.Release(ref fbgemmSlot);
            fbPacked?.Dispose();
            fbPaddedPacked?.Dispose();
            ortInput?.Dispose();
            ortOutput?.Dispose();
            session?.Dispose();
        }
        report.Table(new[] { "GEMM", "rows", "action", "ms per call", "GOP/s", "of nominal peak", "time / seam", "CPU share", "load 1-min" }, rows);
        report.Line("");
        foreach (var note in notes) report.Line("- " + note + ".");
    }

    // The same reads as WeightChecksum.Compute, in pieces below its threading threshold (the value differs; the time is the point).
    private static void ChecksumOnCallingThread(NativeGemm gemm, Tensor weight)
    {
        long bytes = weight.numel() * 4, piece = 1L << 20;
        IntPtr data = gemm.Data(weight);
        for (long offset = 0; offset < bytes; offset += piece) WeightChecksum.Compute(data + (nint)offset, Math.Min(piece, bytes - offset));
        GC.KeepAlive(weight);
    }

    private static unsafe void Snap(NativeGemm gemm, Tensor input, Tensor output)
    {
        ActivationQuantizer.Snap((float*)gemm.Data(input), (float*)gemm.Data(output), input.numel(), parallel: false);
        GC.KeepAlive(input);
        GC.KeepAlive(output);
    }

    // On a copy's worth of data in place (the values drift over the calls, which costs the same).
    private static unsafe void Epilogue(NativeGemm gemm, Tensor output, Tensor scales, Tensor bias, bool gelu)
    {
        Int8Epilogue.Apply((float*)gemm.Data(output), output.shape[0], (int)output.shape[1], (float*)gemm.Data(scales), (float*)gemm.Data(bias), gelu, parallel: false);
        GC.KeepAlive(output);
        GC.KeepAlive(scales);
        GC.KeepAlive(bias);
    }

    private static unsafe (float Scale, byte ZeroPoint) Quantize(NativeGemm gemm, Tensor input, Tensor output, bool parallel)
    {
        var result = ActivationQuantizer.Quantize((float*)gemm.Data(input), (byte*)gemm.DataOfBytes(output), input.numel(), parallel);
        GC.KeepAlive(input);
        GC.KeepAlive(output);
        return result;
    }
}
