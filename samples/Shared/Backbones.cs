using ShapedVit.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Samples.Shared;

/// <summary>FashionVit's backbone with a head sized at run time: what the FashionMnist model is fine-tuned into.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, PatchDropout = 0.5)]
[Image(28, 28, Channels = 1), Patch(4), Embed(64), Depth(4), Heads(2), Mlp(128)]
public partial class FashionVitFineTune { }

/// <summary>timm's ViT-Ti/16 backbone with a head sized at run time.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(192), Depth(12), Heads(3), Mlp(768)]
public partial class VitTinyFineTune { }

/// <summary>timm's ViT-S/16 backbone with a head sized at run time.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(384), Depth(12), Heads(6), Mlp(1536)]
public partial class VitSmallFineTune { }

/// <summary>timm's ViT-B/16 backbone with a head sized at run time.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBaseFineTune { }

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
        new(nameof(VitTinyFineTune), ["vit_tiny_patch16_224", "VitTinyPatch16"], PreprocessConfig.Inception(224), (n, seed) => new VitTinyFineTune(n, seed)),
        new(nameof(VitSmallFineTune), ["vit_small_patch16_224", "VitSmallPatch16"], PreprocessConfig.Inception(224), (n, seed) => new VitSmallFineTune(n, seed)),
        new(nameof(VitBaseFineTune), ["vit_base_patch16_224", "vit_b_16", "VitBasePatch16"], PreprocessConfig.Inception(224), (n, seed) => new VitBaseFineTune(n, seed)),
    ];

    /// <summary>The backbone named <paramref name="name"/> (its own name or a pre-trained model's it takes), or null.</summary>
    public static Backbone? Find(string? name) =>
        name is null ? null : All.FirstOrDefault(b => b.Name == name || b.Pretrained.Contains(name));
}
