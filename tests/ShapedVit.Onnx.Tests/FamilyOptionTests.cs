using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>
/// The families' options export (the timm fixtures' models: FamilyParityTests); what is still refused is refused in one
/// exact line, before anything is written: a dynamic image size below opset 18, and the one grid where timm skips resampling.
/// </summary>
public class FamilyOptionTests(ITestOutputHelper output)
{
    [Fact]
    public void A_dynamic_size_below_opset_18_is_refused_naming_the_opset()
    {
        using var scope = NewDisposeScope();
        using var model = new OnnxDistilledDynamicVit(seed: 0);
        using var folder = new TempFolder();
        var error = Assert.Throws<OnnxExportException>(() => model.ExportOnnx(folder.File("model.onnx"), new OnnxExportOptions { Opset = 17 }));
        Assert.Equal("OnnxDistilledDynamicVit cannot be exported to ONNX: its dynamic image size resamples the position embedding with Resize's " +
                     "antialiasing, which ONNX has from opset 18: export it with Opset = 18 or later.", error.Message);
        Assert.Empty(folder.Files());
    }

    [Fact]
    public void A_non_square_grid_with_a_squares_count_is_refused_at_a_dynamic_size()
    {
        using var scope = NewDisposeScope();
        using var model = new OnnxSquareCountDynamicVit(seed: 0);
        using var folder = new TempFolder();
        var error = Assert.Throws<OnnxExportException>(() => model.ExportOnnx(folder.File("model.onnx"), new OnnxExportOptions { Opset = 18 }));
        Assert.Equal("OnnxSquareCountDynamicVit cannot be exported to ONNX: its declared 2x8 patch grid is not square but has a square's count, " +
                     "and timm keeps the position embedding unresampled at a 4x4 grid, which the graph does not reproduce.", error.Message);
        Assert.Empty(folder.Files());
    }

    [Fact]
    public void Without_options_a_dynamic_size_is_exported_at_opset_18()
    {
        using var scope = NewDisposeScope();
        using var model = new OnnxDistilledDynamicVit(seed: 0);
        model.eval();
        using var folder = new TempFolder();
        var result = model.ExportOnnx(folder.File("model.onnx"));
        Assert.Equal(18, result.Opset);
        Assert.Equal("images [batch,3,height,width]", result.Input);
    }

    /// <summary>A distilled model of dynamic size (random weights, perturbed) at opset 18, at its size and at two others, batch 1 and 3.</summary>
    [Theory]
    [InlineData(18), InlineData(21)]
    public void A_distilled_model_of_dynamic_size_exports_with_dynamic_height_and_width(int opset)
    {
        using var scope = NewDisposeScope();
        using var model = new OnnxDistilledDynamicVit(seed: 0);
        TestSupport.Perturb(model, seed: 3);
        model.eval();
        using var folder = new TempFolder();
        var result = model.ExportOnnx(folder.File("model.onnx"), new OnnxExportOptions { Opset = opset, IncludePooledFeatures = true });
        Assert.Equal("images [batch,3,height,width]", result.Input);
        using var session = Ort.Session(result.Path);
        foreach (var (batch, height, width) in new[] { (1L, 32L, 32L), (3L, 48L, 24L), (2L, 16L, 40L) })
        {
            var images = TestSupport.Images(batch, 3, height, width, seed: height + width);
            var (difference, pooled, _) = Parity.MaxDifference(model, session, batch, seed: 0, images);
            output.WriteLine($"opset {opset} [{batch},3,{height},{width}]: {difference:E2} (logits), {pooled:E2} (pooled)");
            Assert.InRange(difference, 0, ParityTests.Tolerance);
            Assert.InRange(pooled, 0, ParityTests.Tolerance);
        }
    }
}

/// <summary>DeiT's distillation token at a dynamic image size.</summary>
[VisionTransformer(NumClasses = 5, DistillationToken = true), Image(32, DynamicSize = true), Patch(8), Embed(64), Depth(2), Heads(4)]
public partial class OnnxDistilledDynamicVit { }

/// <summary>A 2x8 grid at a dynamic size: at a 4x4 input grid timm's resample_abs_pos_embed returns the embedding as it is.</summary>
[VisionTransformer(NumClasses = 3), Image(16, 64, DynamicSize = true), Patch(8), Embed(32), Depth(1), Heads(2)]
public partial class OnnxSquareCountDynamicVit { }
