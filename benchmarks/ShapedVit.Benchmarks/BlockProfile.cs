using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>Where one ViT-B/16 encoder block's time goes at batch 8 and 1: each operation timed alone, float32 and bfloat16.</summary>
public static class BlockProfile
{
    public static void Run(Report report, Options options)
    {
        const long tokens = 197, dim = 768, heads = 12, mlp = 3072;
        var rows = new List<string[]>();
        foreach (long batch in new long[] { 8, 1 })
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        {
            using var scope = NewDisposeScope();
            using var inference = torch.inference_mode();
            var x = torch.randn(batch, tokens, dim).to(dtype);
            var qkvWeight = (torch.randn(3 * dim, dim) * 0.02).to(dtype);
            var projWeight = (torch.randn(dim, dim) * 0.02).to(dtype);
            var fc1Weight = (torch.randn(mlp, dim) * 0.02).to(dtype);
            var fc2Weight = (torch.randn(dim, mlp) * 0.02).to(dtype);
            var fc1WeightT = fc1Weight.t().contiguous();
            var bias3 = torch.zeros(3 * dim).to(dtype); var bias = torch.zeros(dim).to(dtype); var biasMlp = torch.zeros(mlp).to(dtype);
            var lnWeight = torch.ones(dim); var lnBias = torch.zeros(dim); // float32, as BFloat16Inference keeps them
            var q = torch.randn(batch, heads, tokens, dim / heads).to(dtype);
            // q, k, v as Attention makes them: views into the fused qkv output, [3, B, H, N, hd] permuted.
            var qkvParts = torch.randn(batch, tokens, 3 * dim).to(dtype).reshape(batch, tokens, 3, heads, dim / heads).permute(2, 0, 3, 1, 4);
            var (qView, kView, vView) = (qkvParts[0], qkvParts[1], qkvParts[2]);
            var tokenRows = x.reshape(-1, dim); // [B*N, D]: libtorch's 2-D linear runs addmm (bias in the accumulator)
            var hidden = torch.randn(batch, tokens, mlp).to(dtype);
            var ops = new (string Name, double Macs, Action Action)[]
            {
                ("LayerNorm", 0, () => { using var y = nn.functional.layer_norm(x, new[] { dim }, lnWeight, lnBias, 1e-6); }),
                ("qkv Linear", batch * tokens * dim * 3 * dim, () => { using var y = nn.functional.linear(x, qkvWeight, bias3); }),
                ("scaled_dot_product_attention", 2.0 * batch * heads * tokens * tokens * (dim / heads), () => { using var y = nn.functional.scaled_dot_product_attention(q, q, q); }),
                ("explicit attention (matmul, softmax, matmul)", 2.0 * batch * heads * tokens * tokens * (dim / heads), () =>
                {
                    using var scores = q.matmul(q.transpose(-2, -1)).mul_(1.0 / Math.Sqrt(dim / heads));
                    using var probabilities = scores.softmax(-1);
                    using var y = probabilities.matmul(q);
                }),
                ("scaled_dot_product_attention on qkv views (as Attention)", 2.0 * batch * heads * tokens * tokens * (dim / heads), () => { using var y = nn.functional.scaled_dot_product_attention(qView, kView, vView); }),
                ("contiguous copies of qkv views + sdpa", 2.0 * batch * heads * tokens * tokens * (dim / heads), () =>
                {
                    using var qc = qView.contiguous(); using var kc = kView.contiguous(); using var vc = vView.contiguous();
                    using var y = nn.functional.scaled_dot_product_attention(qc, kc, vc);
                }),
                ("proj Linear", batch * tokens * dim * dim, () => { using var y = nn.functional.linear(x, projWeight, bias); }),
                ("proj Linear on rows [B*N, D]", batch * tokens * dim * dim, () => { using var y = nn.functional.linear(tokenRows, projWeight, bias); }),
                ("fc1 Linear", batch * tokens * dim * mlp, () => { using var y = nn.functional.linear(x, fc1Weight, biasMlp); }),
                ("fc1 Linear on rows [B*N, D]", batch * tokens * dim * mlp, () => { using var y = nn.functional.linear(tokenRows, fc1Weight, biasMlp); }),
                ("GELU (erf)", 0, () => { using var y = nn.functional.gelu(hidden); }),
                ("GELU (erf) in place", 0, () => { hidden.gelu_(); }),
                ("fc1 Linear + GELU in place", batch * tokens * dim * mlp, () => { using var y = nn.functional.linear(x, fc1Weight, biasMlp); y.gelu_(); }),
                ("fc1 addmm, weight stored transposed", batch * tokens * dim * mlp, () => { using var x2 = x.view(-1, dim); using var y = torch.addmm(biasMlp, x2, fc1WeightT, 1, 1); }),
                ("fc1 matmul only (no bias)", batch * tokens * dim * mlp, () => { using var y = x.matmul(fc1WeightT); }),
                ("fc2 Linear", batch * tokens * dim * mlp, () => { using var y = nn.functional.linear(hidden, fc2Weight, bias); }),
                ("residual add", 0, () => { using var y = x + x; }),
            };
            var timings = Harness.MeasureInterleaved(options.Warmups, options.Repetitions * 4, ops.Select(o => ($"{o.Name} {dtype}", o.Action)).ToArray());
            for (int i = 0; i < ops.Length; i++)
                rows.Add(new[] { ops[i].Name, batch.ToString(System.Globalization.CultureInfo.InvariantCulture), dtype.ToString(), Harness.Format(timings[i].Median * 1e3), ops[i].Macs > 0 ? Harness.Format(2 * ops[i].Macs / timings[i].Median / 1e9, 1) : "", Harness.Format(timings[i].LoadBefore) });
        }
        // The same at the module level: a whole generated model, one EncoderBlock, its Attention and Mlp, the patch
        // embedding; bfloat16 as BFloat16Inference makes it (LayerNorm parameters float32).
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        {
            T Prepare<T>(T module) where T : nn.Module
            {
                module.eval();
                return dtype == ScalarType.BFloat16 ? ShapedVit.Inference.BFloat16Inference.ToBFloat16(module) : module;
            }
            using var model = Prepare(new VitB16(seed: 1));
            using var block = Prepare(new ShapedVit.Layers.EncoderBlock(dim, heads, mlp));
            using var embed = Prepare(new ShapedVit.Layers.PatchEmbed(3, dim, 16, 16));
            using var attention = Prepare(new ShapedVit.Layers.Attention(dim, heads));
            using var mlpModule = Prepare(new ShapedVit.Layers.Mlp(dim, mlp));
            foreach (long batch in new long[] { 8, 1 })
            {
                using var scope = NewDisposeScope();
                var images = torch.randn(batch, 3, 224, 224).to(dtype);
                var tokensIn = torch.randn(batch, tokens, dim).to(dtype);
                var modules = new (string Name, Action Action)[]
                {
                    ("generated ViT-B/16 forward", InferenceBenchmarks.Forward(model, images)),
                    ("one EncoderBlock module", InferenceBenchmarks.Forward(block, tokensIn)),
                    ("PatchEmbed module", InferenceBenchmarks.Forward(embed, images)),
                    ("Attention module", InferenceBenchmarks.Forward(attention, tokensIn)),
                    ("Mlp module", InferenceBenchmarks.Forward(mlpModule, tokensIn)),
                };
                var timings = Harness.MeasureInterleaved(options.Warmups, options.Repetitions * 4, modules.Select(m => ($"{m.Name} {dtype} batch {batch}", m.Action)).ToArray());
                for (int i = 0; i < modules.Length; i++)
                    rows.Add(new[] { modules[i].Name, batch.ToString(System.Globalization.CultureInfo.InvariantCulture), dtype.ToString(), Harness.Format(timings[i].Median * 1e3), "", Harness.Format(timings[i].LoadBefore) });
            }
        }
        report.Heading("One ViT-B/16 block's operations, each timed alone");
        report.Table(new[] { "operation", "batch", "dtype", "median ms", "GFLOP/s", "load 1-min" }, rows);
    }
}
