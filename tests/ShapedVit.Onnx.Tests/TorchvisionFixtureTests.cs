using ShapedVit.Checkpoints;
using TorchSharp;
using Xunit.Abstractions;
using static ShapedVit.Onnx.Tests.TestSupport;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>
/// The torchvision fixtures (torchvision 0.14.1's weights and outputs, Fixtures/torchvision), loaded into the generated
/// models and exported: ORT matches the model within 1e-5 at batch 1, 2 (the fixture's own input) and 3, and
/// torchvision's own logits within the checkpoint tests' 1e-4.
/// </summary>
public class TorchvisionFixtureTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("vit_micro")]
    [InlineData("vit_prelogits")]
    public void Export_of_a_torchvision_checkpoint_runs_in_onnx_runtime_with_its_numbers(string fixture)
    {
        using var scope = NewDisposeScope();
        IVisionTransformer vit = fixture == "vit_micro" ? new TorchvisionMicro() : new TorchvisionPrelogits();
        var model = (nn.Module<Tensor, Tensor>)vit;
        model.LoadSafetensors(Fixture(fixture + ".safetensors"));
        model.eval();
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File(fixture + ".onnx"), new OnnxExportOptions { IncludePooledFeatures = true });
        using var session = Ort.Session(result.Path);

        using var expected = Safetensors.ReadAll(Fixture(fixture + ".expected.safetensors"));
        var input = expected.Tensors["input"];
        var (difference, pooled, magnitude) = Parity.MaxDifference(vit, session, input.shape[0], 0, input);
        var ort = Ort.Run(session, Values(input), input.shape);
        double torchvisionError = MaxAbsDiff(Values(expected.Tensors["logits"]), ort["logits"]);
        output.WriteLine($"{fixture} batch {input.shape[0]}: max |ORT - model| = {difference:E2} (logits up to {magnitude:F2}), {pooled:E2} (pooled); max |ORT - torchvision| = {torchvisionError:E2}");
        Assert.InRange(difference, 0, ParityTests.Tolerance);
        Assert.InRange(pooled, 0, ParityTests.Tolerance);
        Assert.InRange(torchvisionError, 0, 1e-4);

        foreach (long batch in new[] { 1L, 3L })
        {
            (difference, pooled, magnitude) = Parity.MaxDifference(vit, session, batch, seed: batch);
            output.WriteLine($"{fixture} batch {batch}: max |ORT - model| = {difference:E2} (logits up to {magnitude:F2}), {pooled:E2} (pooled)");
            Assert.InRange(difference, 0, ParityTests.Tolerance);
            Assert.InRange(pooled, 0, ParityTests.Tolerance);
        }
    }
}
