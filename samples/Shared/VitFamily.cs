namespace ShapedVit.Samples.Classify;

// The paper's family as timm and torchvision publish it, declared so their public checkpoints load 1:1 (timm's keys;
// torchvision's and Hugging Face's are renamed on load). Same architectures as timm's vit_*_224 and torchvision's vit_*.

/// <summary>timm <c>vit_tiny_patch16_224</c> (ViT-Ti/16, 5.7 M parameters).</summary>
[VisionTransformer(NumClasses = 1000)]
[Image(224), Patch(16), Embed(192), Depth(12), Heads(3), Mlp(768)]
public partial class VitTinyPatch16 { }

/// <summary>timm <c>vit_small_patch16_224</c> (ViT-S/16, 22 M parameters).</summary>
[VisionTransformer(NumClasses = 1000)]
[Image(224), Patch(16), Embed(384), Depth(12), Heads(6), Mlp(1536)]
public partial class VitSmallPatch16 { }

/// <summary>timm <c>vit_base_patch16_224</c>, torchvision <c>vit_b_16</c> (ViT-B/16, 86 M parameters).</summary>
[VisionTransformer(NumClasses = 1000)]
[Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch16 { }

/// <summary>timm <c>vit_base_patch32_224</c>, torchvision <c>vit_b_32</c> (ViT-B/32, 88 M parameters).</summary>
[VisionTransformer(NumClasses = 1000)]
[Image(224), Patch(32), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch32 { }

/// <summary>timm <c>vit_large_patch16_224</c>, torchvision <c>vit_l_16</c> (ViT-L/16, 304 M parameters).</summary>
[VisionTransformer(NumClasses = 1000)]
[Image(224), Patch(16), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
public partial class VitLargePatch16 { }
