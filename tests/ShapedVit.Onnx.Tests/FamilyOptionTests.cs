using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>A model with an option the exporter does not write yet (the families beyond the paper's) is refused in one line, before anything is written.</summary>
public class FamilyOptionTests
{
    [Fact]
    public void A_distilled_model_of_dynamic_size_is_refused_naming_both_options()
    {
        using var scope = NewDisposeScope();
        using var model = new OnnxDistilledDynamicVit(seed: 0);
        using var folder = new TempFolder();
        var error = Assert.Throws<OnnxExportException>(() => model.ExportOnnx(folder.File("model.onnx")));
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("DistillationToken", error.Message);
        Assert.Contains("Image(DynamicSize = true)", error.Message);
        Assert.Empty(folder.Files());
    }

    [Fact]
    public void Every_family_option_is_named_and_the_papers_options_are_not()
    {
        var paper = new VitSpec { ImageHeight = 32, ImageWidth = 32, PatchHeight = 8, PatchWidth = 8, EmbedDim = 64, Depth = 2, Heads = 4,
                                  RegisterTokens = 2, Pooling = Pooling.Mean, LayerScaleInit = 1e-5, RepresentationSize = 8, QkvBias = false };
        Assert.Empty(VitOnnxGraph.UnsupportedOptions(paper));
        var family = paper with
        {
            DistillationToken = true, DynamicImageSize = true, PatchBias = false, PositionEmbeddingIncludesPrefix = false, Norm = NormKind.RmsNorm,
            PreNorm = true, FinalNorm = FinalNorm.BeforePooling, Pooling = Pooling.AttentionPool, QkNorm = true, SeparateQkv = true,
            SeparateQvBias = true, AttentionInnerNorm = true, Rotary = true, MlpActivation = MlpActivation.Silu, MlpGate = MlpGate.Split, MlpInnerNorm = true,
        };
        Assert.Equal(16, VitOnnxGraph.UnsupportedOptions(family).Count);
        Assert.Equal(["PositionEmbedding(None)"], VitOnnxGraph.UnsupportedOptions(paper with { PositionEmbedding = PositionEmbeddingKind.None }));
    }
}

/// <summary>DeiT's distillation token at a dynamic image size: two options the exporter refuses.</summary>
[VisionTransformer(NumClasses = 5, DistillationToken = true), Image(32, DynamicSize = true), Patch(8), Embed(64), Depth(2), Heads(4)]
public partial class OnnxDistilledDynamicVit { }
