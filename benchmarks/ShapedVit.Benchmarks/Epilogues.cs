using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>
/// Levers on oneDNN's float32 path, each timed against what the model does today in alternating rounds: the MLP's
/// bias + GELU as a post-op of fc1, the residual add as a post-op of fc2, the plain weight against the blocked copy,
/// and the weight checksum the copied-weight paths take per call (ViT-B/16 shapes, inference mode).
/// </summary>
internal static class Epilogues
{
    public static void Run(Report report, Options options)
    {
        report.Heading("oneDNN float32 levers, alternating in one process (ViT-B/16 MLP shapes, inference mode)");
        if (CpuInference.OneDnn is not { } onednn)
        {
            report.Line($"oneDNN's entry points are missing: {NativeOneDnn.FailureReason}.");
            return;
        }
        report.Line($"CPU: {Harness.CpuModel()}; torch threads {torch.get_num_threads()}; 10 calls per timed action.");
        var rows = new List<string[]>();
        foreach (int batch in new[] { 1, 8 })
        {
            using var scope = NewDisposeScope();
            using var inference = torch.inference_mode();
            torch.manual_seed(1);
            var fc1 = (torch.randn(3072, 768) * 0.02).contiguous();
            var fc1Bias = torch.randn(3072) * 0.02;
            var fc2 = (torch.randn(768, 3072) * 0.02).contiguous();
            var fc2Bias = torch.randn(768) * 0.02;
            using var fc1Blocked = onednn.ReorderLinearWeight(fc1);
            using var fc2Blocked = onednn.ReorderLinearWeight(fc2);
            var tokens = torch.randn(batch * 197, 768);
            var hidden = torch.randn(batch * 197, 3072);
            var residual = torch.randn(batch * 197, 768);
            // The fused forms must compute what the unfused ones do.
            using (var a = onednn.Linear(tokens, fc1Blocked, fc1Bias).gelu_())
            using (var b = onednn.Linear(tokens, fc1Blocked, fc1Bias, gelu: true))
            using (var c = onednn.Linear(hidden, fc2Blocked, fc2Bias).add_(residual))
            using (var d = onednn.LinearAdd(hidden, fc2Blocked, fc2Bias, residual))
                report.Line($"- batch {batch}: fused GELU differs from linear then GELU by {(a - b).abs().max().item<float>():E2}; " +
                            $"fused residual add by {(c - d).abs().max().item<float>():E2}.");
            var tokens16 = tokens.to(ScalarType.BFloat16);
            var fc1_16 = fc1.to(ScalarType.BFloat16);
            var fc1Bias16 = fc1Bias.to(ScalarType.BFloat16);
            using var fc1Blocked16 = onednn.ReorderLinearWeight(fc1_16);
            var padded = torch.randn((batch * 197 + 15) / 16 * 16, 768);
            using (var a = nn.functional.linear(tokens16, fc1_16, fc1Bias16).gelu_())
            using (var b = onednn.Linear(tokens16, fc1_16, fc1Bias16, gelu: true))
            using (var c = onednn.Linear(tokens16, fc1Blocked16, fc1Bias16, gelu: true))
                report.Line($"- batch {batch}, bfloat16: oneDNN's fused GELU differs from libtorch's linear then GELU by {(a.to(ScalarType.Float32) - b.to(ScalarType.Float32)).abs().max().item<float>():E2} (plain), {(a.to(ScalarType.Float32) - c.to(ScalarType.Float32)).abs().max().item<float>():E2} (blocked).");
            const int calls = 10;
            var timings = Harness.MeasureInterleaved(options.Warmups, options.Repetitions,
                ("fc1 blocked, then GELU in place", () => { for (int i = 0; i < calls; i++) onednn.Linear(tokens, fc1Blocked, fc1Bias).gelu_().Dispose(); }),
                ("fc1 blocked with the GELU post-op", () => { for (int i = 0; i < calls; i++) onednn.Linear(tokens, fc1Blocked, fc1Bias, gelu: true).Dispose(); }),
                ("fc1 plain weight, then GELU in place", () => { for (int i = 0; i < calls; i++) onednn.Linear(tokens, fc1, fc1Bias).gelu_().Dispose(); }),
                ("fc2 blocked, then residual add", () => { for (int i = 0; i < calls; i++) onednn.Linear(hidden, fc2Blocked, fc2Bias).add_(residual).Dispose(); }),
                ("fc2 blocked with the add post-op", () => { for (int i = 0; i < calls; i++) onednn.LinearAdd(hidden, fc2Blocked, fc2Bias, residual).Dispose(); }),
                ("fc1 weight checksum", () => { for (int i = 0; i < calls; i++) WeightChecksumOf(fc1); }),
                ("fc1 bfloat16, libtorch linear then GELU in place", () => { for (int i = 0; i < calls; i++) nn.functional.linear(tokens16, fc1_16, fc1Bias16).gelu_().Dispose(); }),
                ("fc1 bfloat16, oneDNN plain weight with the GELU post-op", () => { for (int i = 0; i < calls; i++) onednn.Linear(tokens16, fc1_16, fc1Bias16, gelu: true).Dispose(); }),
                ("fc1 bfloat16, oneDNN blocked weight with the GELU post-op", () => { for (int i = 0; i < calls; i++) onednn.Linear(tokens16, fc1Blocked16, fc1Bias16, gelu: true).Dispose(); }),
                ("fc1 rows padded to a multiple of 16, GELU post-op", () => { for (int i = 0; i < calls; i++) onednn.Linear(padded, fc1Blocked, fc1Bias, gelu: true).Dispose(); }));
            double macs = batch * 197.0 * 768 * 3072;
            foreach (var t in timings)
                rows.Add(new[] { t.Name, batch.ToString(), Harness.Format(t.Median * 1000 / calls, 3),
                                 t.Name.Contains("checksum") ? "" : Harness.Format(2 * macs * calls / t.Median / 1e9, 1),
                                 Harness.Format(t.Median / timings[t.Name.StartsWith("fc2") ? 3 : t.Name.Contains("bfloat16") ? 6 : 0].Median),
                                 Harness.Format(t.CpuShare), Harness.Format(t.LoadAfter) });
        }
        report.Table(new[] { "action", "batch", "ms per call", "GFLOP/s", "time / unfused (fc1, fc2 or bfloat16 fc1 row)", "CPU share", "load 1-min" }, rows);

        // bfloat16: libtorch's linear (oneDNN's matmul on the plain weight) against oneDNN's inner product on a blocked copy, per block GEMM.
        var rows16 = new List<string[]>();
        foreach (int batch in new[] { 1, 8 })
        foreach (var (name, inFeatures, outFeatures) in new (string, long, long)[] { ("qkv", 768, 2304), ("proj", 768, 768), ("fc1", 768, 3072), ("fc2", 3072, 768) })
        {
            using var scope = NewDisposeScope();
            using var inference = torch.inference_mode();
            var weight = (torch.randn(outFeatures, inFeatures) * 0.02).to(ScalarType.BFloat16);
            var bias = torch.zeros(outFeatures).to(ScalarType.BFloat16);
            using var blocked = onednn.ReorderLinearWeight(weight);
            var input = torch.randn(batch * 197, inFeatures).to(ScalarType.BFloat16);
            const int calls = 10;
            var t = Harness.MeasureInterleaved(options.Warmups, options.Repetitions,
                ("libtorch", () => { for (int i = 0; i < calls; i++) nn.functional.linear(input, weight, bias).Dispose(); }),
                ("oneDNN blocked", () => { for (int i = 0; i < calls; i++) onednn.Linear(input, blocked, bias).Dispose(); }),
                ("checksum", () => { for (int i = 0; i < calls; i++) WeightChecksumOf(weight); }));
            double flops = 2.0 * batch * 197 * inFeatures * outFeatures;
            rows16.Add(new[] { name, batch.ToString(), Harness.Format(t[0].Median * 1000 / calls, 3), Harness.Format(t[1].Median * 1000 / calls, 3),
                               Harness.Format(t[1].Median / t[0].Median), Harness.Format(flops * calls / t[1].Median / 1e9, 1), Harness.Format(t[2].Median * 1000 / calls, 3),
                               Harness.Format(Math.Min(t[0].CpuShare, t[1].CpuShare)) });
        }
        report.Line("");
        report.Table(new[] { "bfloat16 GEMM", "batch", "libtorch ms", "oneDNN blocked ms", "blocked / libtorch", "blocked GFLOP/s", "checksum ms", "CPU share" }, rows16);
    }

    private static void WeightChecksumOf(Tensor weight)
    {
        WeightChecksum.Compute(CpuInference.Native!.Data(weight), weight.numel() * weight.ElementSize);
        GC.KeepAlive(weight);
    }
}
