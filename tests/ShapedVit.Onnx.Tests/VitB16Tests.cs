using System.Diagnostics;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>The full-size ViT-B/16 (86.6 M parameters, 344 MB of float32 weights): ORT within 1e-4 of the model at batch 1 and 3.</summary>
public class VitB16Tests(ITestOutputHelper output)
{
    [Fact, Trait("Category", "Slow")]
    public void Full_size_vit_b16_runs_in_onnx_runtime_with_the_models_numbers()
    {
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var vit = new VitB16(seed: 1);
        TestSupport.Perturb(vit, seed: 7);
        vit.eval();
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File("vit_b16.onnx"), new OnnxExportOptions { IncludePooledFeatures = true });
        output.WriteLine($"export: {new FileInfo(result.Path).Length:N0} bytes, {clock.Elapsed.TotalSeconds:F1} s since start");
        using var session = Ort.Session(result.Path);
        output.WriteLine($"session: {clock.Elapsed.TotalSeconds:F1} s since start");
        foreach (long batch in new[] { 1L, 3L })
        {
            var (difference, pooled, magnitude) = Parity.MaxDifference(vit, session, batch, seed: batch);
            output.WriteLine($"VitB16 batch {batch}: max |ORT - model| = {difference:E2} (logits up to {magnitude:F2}), {pooled:E2} (pooled); {clock.Elapsed.TotalSeconds:F1} s since start");
            Assert.InRange(difference, 0, 1e-4);
            Assert.InRange(pooled, 0, 1e-4);
        }
        ((nn.Module)vit).Dispose();
    }
}
