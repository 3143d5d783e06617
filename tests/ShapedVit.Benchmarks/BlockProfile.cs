using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>Where one ViT-B/16 encoder block's time goes at batch 8: each operation timed alone, float32 and bfloat16.</summary>
public static class BlockProfile
{
    public static void Run(Report report, Options options)
    {
        const long batch = 8, tokens = 197, dim = 768, heads = 12, mlp = 3072;
        var rows = new List<string[]>();
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        {
            using var scope = NewDisposeScope();
            using var inference = torch.inference_mode();
            var x = torch.randn(batch, tokens, dim).to(dtype);
            var qkvWeight = (torch.randn(3 * dim, dim) * 0.02).to(dtype);
            var projWeight = (torch.randn(dim, dim) * 0.02).to(dtype);
            var fc1Weight = (torch.randn(mlp, dim) * 0.02).to(dtype);
            var fc2Weight = (torch.randn(dim, mlp) * 0.02).to(dtype);
            var bias3 = torch.zeros(3 * dim).to(dtype); var bias = torch.zeros(dim).to(dtype); var biasMlp = torch.zeros(mlp).to(dtype);
            var lnWeight = torch.ones(dim); var lnBias = torch.zeros(dim); // float32, as BFloat16Inference keeps them
            var q = torch.randn(batch, heads, tokens, dim / heads).to(dtype);
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
                ("proj Linear", batch * tokens * dim * dim, () => { using var y = nn.functional.linear(x, projWeight, bias); }),
                ("fc1 Linear", batch * tokens * dim * mlp, () => { using var y = nn.functional.linear(x, fc1Weight, biasMlp); }),
                ("GELU (erf)", 0, () => { using var y = nn.functional.gelu(hidden); }),
                ("fc2 Linear", batch * tokens * dim * mlp, () => { using var y = nn.functional.linear(hidden, fc2Weight, bias); }),
                ("residual add", 0, () => { using var y = x + x; }),
            };
            var timings = Harness.MeasureInterleaved(options.Warmups, options.Repetitions * 4, ops.Select(o => ($"{o.Name} {dtype}", o.Action)).ToArray());
            for (int i = 0; i < ops.Length; i++)
                rows.Add(new[] { ops[i].Name, dtype.ToString(), Harness.Format(timings[i].Median * 1e3), ops[i].Macs > 0 ? Harness.Format(2 * ops[i].Macs / timings[i].Median / 1e9, 1) : "", Harness.Format(timings[i].LoadBefore) });
        }
        report.Heading("One ViT-B/16 block's operations at batch 8, each timed alone");
        report.Table(new[] { "operation", "dtype", "median ms", "GFLOP/s", "load 1-min" }, rows);
    }
}
