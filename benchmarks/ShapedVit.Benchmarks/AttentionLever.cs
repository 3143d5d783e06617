using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>
/// Whether attention's two products run faster on oneDNN's inner product (per head: scores = q k^T as a Linear with
/// the keys as its weight, softmax, then p v as a Linear with v^T as its weight) than in libtorch's
/// scaled_dot_product_attention, at DINOv2 ViT-S/14 518 px and ViT-B/16 shapes, float32, inference mode.
/// </summary>
internal static class AttentionLever
{
    public static void Run(Report report, Options options)
    {
        report.Heading("Attention products: libtorch's scaled_dot_product_attention against oneDNN's inner product per head");
        if (CpuInference.OneDnn is not { } onednn)
        {
            report.Line($"oneDNN's entry points are missing: {NativeOneDnn.FailureReason}.");
            return;
        }
        var rows = new List<string[]>();
        foreach (var (name, batch, heads, tokens, width) in new (string, long, long, long, long)[] { ("DINOv2 S/14 518", 8, 6, 1374, 64), ("DINOv2 S/14 518", 1, 6, 1374, 64), ("ViT-B/16", 8, 12, 197, 64), ("ViT-B/16", 1, 12, 197, 64),
                                                                                   ("ViT-B/16 288", 8, 12, 325, 64), ("ViT-B/16 288", 1, 12, 325, 64), ("ViT-B/16 320", 1, 12, 401, 64), ("ViT-B/16 384", 8, 12, 577, 64), ("ViT-B/16 384", 1, 12, 577, 64), ("ViT-S/16 448", 8, 6, 785, 64), ("ViT-S/16 448", 1, 6, 785, 64),
                                                                                   ("ViT-S/14 448", 1, 6, 1025, 64) })
        {
            using var scope = NewDisposeScope();
            using var inference = torch.inference_mode();
            // q, k, v as Attention makes them: views into one [B, N, 3 * D] projection, permuted to [3, B, H, N, hd].
            var parts = torch.randn(batch, tokens, 3 * heads * width).reshape(batch, tokens, 3, heads, width).permute(2, 0, 3, 1, 4);
            var (q, k, v) = (parts[0], parts[1], parts[2]);
            Tensor PerHead() => PerHeadBlocks(tokens); // one block of all rows: each head whole
            Tensor PerHeadBlocks(long rowsPerBlock)
            {
                using var inner = NewDisposeScope();
                var scaled = (q * (1.0 / Math.Sqrt(width))).contiguous();
                var keysAll = k.contiguous();
                var vt = v.transpose(-2, -1).contiguous(); // [B, H, hd, N]
                var output = torch.empty(batch, heads, tokens, width);
                for (long b = 0; b < batch; b++)
                for (long h = 0; h < heads; h++)
                {
                    var keys = keysAll[b, h];
                    var values = vt[b, h];
                    for (long start = 0; start < tokens; start += rowsPerBlock)
                    {
                        using var headScope = NewDisposeScope();
                        long rows = Math.Min(rowsPerBlock, tokens - start);
                        var scores = onednn.Linear(scaled[b, h].narrow(0, start, rows), keys, null); // [rows, N]
                        var probabilities = scores.softmax(-1);
                        output[b, h].narrow(0, start, rows).copy_(onednn.Linear(probabilities, values, null));
                    }
                }
                return output.MoveToOuterDisposeScope();
            }
            using (var a = nn.functional.scaled_dot_product_attention(q, k, v))
            using (var b = PerHead())
            using (var c = PerHeadBlocks(256))
                report.Line($"- {name}, batch {batch}: per-head oneDNN differs from SDPA by {(a - b).abs().max().item<float>():E2}, in 256-row blocks by {(a - c).abs().max().item<float>():E2}.");
            var t = Harness.MeasureInterleaved(options.Warmups, options.Repetitions,
                ("sdpa", () => nn.functional.scaled_dot_product_attention(q, k, v).Dispose()),
                ("onednn per head", () => PerHead().Dispose()),
                ("onednn per head, 256-row blocks", () => PerHeadBlocks(256).Dispose()),
                ("onednn per head, 128-row blocks", () => PerHeadBlocks(128).Dispose()),
                ("seam (CpuInference.Attention)", () => { CpuInference.ForcedOneDnnAttention = true; try { CpuInference.Attention(q, k, v)!.Dispose(); } finally { CpuInference.ForcedOneDnnAttention = null; } }));
            double flops = 4.0 * batch * heads * tokens * tokens * width;
            rows.Add(new[] { name, batch.ToString(), Harness.Format(t[0].Median * 1000, 1), Harness.Format(flops / t[0].Median / 1e9, 1),
                             Harness.Format(t[1].Median * 1000, 1), Harness.Format(flops / t[1].Median / 1e9, 1), Harness.Format(t[1].Median / t[0].Median),
                             Harness.Format(t[2].Median * 1000, 1), Harness.Format(t[2].Median / t[0].Median), Harness.Format(t[3].Median * 1000, 1), Harness.Format(t[3].Median / t[0].Median), Harness.Format(t[4].Median * 1000, 1), Harness.Format(t[4].Median / t[0].Median),
                             Harness.Format(t.Min(r => r.CpuShare)) });
        }
        report.Table(new[] { "shape", "batch", "SDPA ms (one layer)", "SDPA GFLOP/s", "oneDNN per head ms", "GFLOP/s", "per head / SDPA", "256-row blocks ms", "/ SDPA", "128-row blocks ms", "/ SDPA", "seam ms", "/ SDPA", "CPU share" }, rows);
    }
}
