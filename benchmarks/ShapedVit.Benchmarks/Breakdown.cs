using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using ShapedVit.Models;
using ShapedVit.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>
/// `breakdown`: where a float32 forward's time goes, in ShapedVit and in ONNX Runtime, by kind of operation, on the same
/// model (timm's `vit_base_patch16_224`, seeded; or DINOv2 ViT-S/14 at 518 px with `--model dinov2`): ShapedVit's parts
/// of block 0 each timed alone in alternating rounds (times the depth), beside the whole forward; ORT's per-node kernel
/// times from its own profiler, summed by operator.
/// </summary>
internal static class Breakdown
{
    public static void Run(Report report, Options options)
    {
        foreach (string name in new[] { "vit_base_patch16_224", OnnxRuntimeComparison.Dinov2Name })
        {
            if (options.EngineFilter is { Count: > 0 } filter && !filter.Contains(name)) continue;
            RunModel(report, options, name);
        }
    }

    private static void RunModel(Report report, Options options, string name)
    {
        using var model = Timm.Create(name, numClasses: 1000, seed: 1);
        model.eval();
        var vit = (IVisionTransformer)model;
        var spec = vit.Spec;
        long depth = spec.Depth;
        report.Heading($"Where a float32 forward's time goes: `{name}`, ShapedVit and ONNX Runtime");
        string directory = Path.Combine(ShapedVit.Testing.RepositoryRoot.Path, "artifacts", "breakdown");
        Directory.CreateDirectory(directory);
        string onnxPath = Path.Combine(directory, $"{name}.onnx");
        vit.ExportOnnx(onnxPath);

        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var norm1 = (nn.Module<Tensor, Tensor>)modules["blocks.0.norm1"];
        var qkv = (nn.Module<Tensor, Tensor>)modules["blocks.0.attn.qkv"];
        var proj = (nn.Module<Tensor, Tensor>)modules["blocks.0.attn.proj"];
        var norm2 = (nn.Module<Tensor, Tensor>)modules["blocks.0.norm2"];
        var mlp = (nn.Module<Tensor, Tensor>)modules["blocks.0.mlp"];
        var block = (nn.Module<Tensor, Tensor>)modules["blocks.0"];
        var blocks = Enumerable.Range(0, spec.Depth).Select(i => (nn.Module<Tensor, Tensor>)modules[$"blocks.{i}"]).ToList();
        var patchEmbed = (nn.Module<Tensor, Tensor>)modules["patch_embed"];
        long heads = spec.Heads, dim = spec.EmbedDim, headDim = dim / heads;

        foreach (int batch in options.Batches ?? new[] { 1, 8 })
        {
            using var scope = NewDisposeScope();
            using var inference = torch.inference_mode();
            long tokens = vit.Geometry.SequenceLength;
            var images = torch.randn(new long[] { batch, spec.Channels, spec.ImageHeight, spec.ImageWidth }, generator: new Generator(7));
            var x = torch.randn(new long[] { batch, tokens, dim }, generator: new Generator(8));
            var qkvOut = qkv.call(x);
            var parts = qkvOut.reshape(batch, tokens, 3, heads, headDim).permute(2, 0, 3, 1, 4);
            var (q, k, v) = (parts[0], parts[1], parts[2]);
            var attended = nn.functional.scaled_dot_product_attention(q, k, v);
            var hidden = torch.randn(new long[] { batch, tokens, dim }, generator: new Generator(9));
            var ours = Harness.MeasureInterleaved(options.Warmups, options.Repetitions,
                ("whole forward", () => { using var s = NewDisposeScope(); model.call(images); }),
                ("block 0", () => { using var s = NewDisposeScope(); block.call(x); }),
                ("all blocks in sequence", () => { using var s = NewDisposeScope(); var y = x; foreach (var b in blocks) y = b.call(y); }),
                ("patch embedding", () => { using var s = NewDisposeScope(); patchEmbed.call(images); }),
                ("LayerNorm x2", () => { using var s = NewDisposeScope(); norm1.call(x); norm2.call(x); }),
                ("qkv Linear", () => { using var s = NewDisposeScope(); qkv.call(x); }),
                ("SDPA on the qkv views", () => { using var s = NewDisposeScope(); nn.functional.scaled_dot_product_attention(q, k, v); }),
                ("heads merged (transpose, copy)", () => { using var s = NewDisposeScope(); attended.transpose(1, 2).reshape(batch, tokens, dim); }),
                ("proj Linear", () => { using var s = NewDisposeScope(); proj.call(hidden); }),
                ("MLP (fc1 + GELU fused, fc2)", () => { using var s = NewDisposeScope(); mlp.call(x); }),
                ("residual adds x2", () => { using var s = NewDisposeScope(); x.add(hidden); x.add(hidden); }));
            double whole = ours[0].Median * 1000;
            var rows = new List<string[]>();
            double partsSum = 0;
            for (int i = 1; i < ours.Length; i++)
            {
                bool once = i is 2 or 3; // the blocks in sequence and the patch embedding run once per forward
                double perForward = ours[i].Median * 1000 * (once ? 1 : depth);
                if (i >= 4) partsSum += perForward;
                rows.Add(new[] { ours[i].Name, once ? "" : Harness.Format(ours[i].Median * 1000, 2), Harness.Format(perForward, 1), Harness.Format(100 * perForward / whole, 1) + " %", Harness.Format(ours[i].CpuShare) });
            }
            rows.Add(new[] { "parts of a block summed, times depth", "", Harness.Format(partsSum, 1), Harness.Format(100 * partsSum / whole, 1) + " %", "" });
            rows.Add(new[] { "whole forward", "", Harness.Format(whole, 1), "100 %", Harness.Format(ours[0].CpuShare) });
            report.Line($"ShapedVit, batch {batch} ({tokens} tokens), {depth} blocks; each part timed alone in alternating rounds, times {depth}:");
            report.Table(new[] { "part (ShapedVit float32)", "ms, block 0", "ms per forward (x depth, or once)", "share of the whole", "CPU share" }, rows);
            OrtProfile(report, options, onnxPath, images, batch);
        }
    }

    private static void OrtProfile(Report report, Options options, string onnxPath, Tensor images, int batch)
    {
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = options.Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            EnableProfiling = true,
            ProfileOutputPathPrefix = Path.Combine(Path.GetDirectoryName(onnxPath)!, "ort-profile"),
        };
        using var session = new InferenceSession(onnxPath, sessionOptions);
        var pixels = images.contiguous().data<float>().ToArray();
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, images.shape);
        int runs = options.Warmups + options.Repetitions;
        var wall = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var outputs = session.Run(new RunOptions(), new[] { session.InputNames[0] }, new[] { input }, session.OutputNames);
            wall.Add(watch.Elapsed.TotalMilliseconds);
        }
        string file = session.EndProfiling();
        var byOperator = new Dictionary<string, double>();
        using (var json = JsonDocument.Parse(File.ReadAllText(file)))
        {
            foreach (var e in json.RootElement.EnumerateArray())
            {
                if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
                string op = e.GetProperty("args").GetProperty("op_name").GetString()!;
                byOperator[op] = byOperator.GetValueOrDefault(op) + e.GetProperty("dur").GetDouble() / 1000.0;
            }
        }
        File.Delete(file);
        double total = byOperator.Values.Sum() / runs;
        var rows = byOperator.OrderByDescending(p => p.Value)
            .Select(p => new[] { p.Key, Harness.Format(p.Value / runs, 1), Harness.Format(100 * p.Value / runs / total, 1) + " %" }).ToList();
        rows.Add(new[] { "kernels summed", Harness.Format(total, 1), "100 %" });
        rows.Add(new[] { "Run wall time (median, profiler on)", Harness.Format(Harness.Median(wall.Skip(options.Warmups).Select(w => w / 1000).ToList()) * 1000, 1), "" });
        report.Line($"ONNX Runtime, batch {batch}, ORT_ENABLE_ALL, {options.Threads} intra-op threads, its profiler's kernel times averaged over {runs} runs:");
        report.Table(new[] { "ORT operator", "ms per forward", "share of kernels" }, rows);
    }
}
