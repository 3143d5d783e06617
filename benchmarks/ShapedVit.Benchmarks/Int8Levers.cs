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
/// product on an already quantized input), oneDNN's float32 path on the same shape, and ONNX Runtime's
/// DynamicQuantizeMatMul as a one-node model (from <c>make_int8_gemm_models.py</c>; skipped where missing). fbgemm's
/// int8 linear was measured beside them on branch g-int8 (docs/benchmarks.md, Run O) and not kept.
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
        string modelDirectory = Path.Combine(ShapedVit.Testing.RepositoryRoot.Path, "artifacts", "int8-gemm-onnx");
        bool haveOrt = File.Exists(Path.Combine(modelDirectory, "fc2.onnx"));
        report.Line($"CPU: {Harness.CpuModel()} ({CpuInference.Capabilities}); torch threads {torch.get_num_threads()}; int8: {Int8Inference.Status}; " +
                    "ORT one-node models: " +
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
            PackedWeight? slot = null;
            using var seamOutput = Int8PackedWeight.Forward(gemm, onednn, weight, bias, ref slot, input, cpu, gelu)!;
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
            notes.Add($"{name} {tokens} rows: the seam differs from float32 by {(seamOutput - floatOutput).abs().max().item<float>():E2} (outputs up to {floatOutput.abs().max().item<float>():F2})");


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


    private static unsafe (float Scale, byte ZeroPoint) Quantize(NativeGemm gemm, Tensor input, Tensor output, bool parallel)
    {
        var result = ActivationQuantizer.Quantize((float*)gemm.Data(input), (byte*)gemm.DataOfBytes(output), input.numel(), parallel);
        GC.KeepAlive(input);
        GC.KeepAlive(output);
        return result;
    }
}
