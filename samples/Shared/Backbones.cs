using ShapedVit.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Samples.Shared;

/// <summary>FashionVit's backbone with a head sized at run time: what the FashionMnist model is fine-tuned into.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, PatchDropout = 0.5)]
[Image(28, 28, Channels = 1), Patch(4), Embed(64), Depth(4), Heads(2), Mlp(128)]
public partial class FashionVitFineTune { }

/// <summary>
/// A backbone a pre-trained checkpoint can be fine-tuned into: every shape proven at compile time but the head's class
/// count, which the image folder decides at run time.
/// </summary>
/// <param name="Name">The name a fine-tuned checkpoint records (<c>shapedvit.model</c>).</param>
/// <param name="Pretrained">The model names whose checkpoints fit the backbone (the head aside).</param>
/// <param name="Preprocessing">The evaluation preprocessing when the pre-trained checkpoint states none.</param>
/// <param name="Create">Builds the model with a head of the given class count and seed.</param>
public sealed record Backbone(string Name, IReadOnlyList<string> Pretrained, PreprocessConfig Preprocessing, Func<int, long, nn.Module<Tensor, Tensor>> Create)
{
    /// <summary>The backbones the samples know.</summary>
    public static IReadOnlyList<Backbone> All { get; } =
    [
        new(nameof(FashionVitFineTune), [FashionModel.Name], FashionModel.Preprocessing, (n, seed) => new FashionVitFineTune(n, seed)),
        // The paper's family (VitFamily.cs); the names FineTune recorded before the family was declared once still resolve.
        new(nameof(VitTinyPatch16), ["vit_tiny_patch16_224", nameof(VitTinyPatch16), "VitTinyFineTune"], PreprocessConfig.Inception(224), (n, seed) => new VitTinyPatch16(n, seed)),
        new(nameof(VitSmallPatch16), ["vit_small_patch16_224", nameof(VitSmallPatch16), "VitSmallFineTune"], PreprocessConfig.Inception(224), (n, seed) => new VitSmallPatch16(n, seed)),
        new(nameof(VitBasePatch16), ["vit_base_patch16_224", "vit_b_16", nameof(VitBasePatch16), "VitBaseFineTune"], PreprocessConfig.Inception(224), (n, seed) => new VitBasePatch16(n, seed)),
    ];

    /// <summary>The backbone named <paramref name="name"/> (its own name or a pre-trained model's it takes), or null.</summary>
    public static Backbone? Find(string? name) =>
        name is null ? null : All.FirstOrDefault(b => b.Name == name || b.Pretrained.Contains(name));
}
