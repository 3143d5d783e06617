namespace ShapedVit.Samples.Shared;

// The paper's family (Table 1; Tiny and Small as DeiT defines them) as timm and torchvision publish it, declared once
// for every sample: Classify loads public checkpoints into them (timm's keys; torchvision's and Hugging Face's are
// renamed on load), FineTune gives them a head sized to an image folder, Variants prints their generated constants.
// The head's class count is a constructor argument (ImageNet-1k's 1000 for the published weights); every other shape
// is proven at compile time.

/// <summary>timm <c>vit_tiny_patch16_224</c> (ViT-Ti/16, 5.7 M parameters with 1000 classes).</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(192), Depth(12), Heads(3), Mlp(768)]
public partial class VitTinyPatch16 { }

/// <summary>timm <c>vit_small_patch16_224</c> (ViT-S/16, 22 M parameters with 1000 classes).</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(384), Depth(12), Heads(6), Mlp(1536)]
public partial class VitSmallPatch16 { }

/// <summary>timm <c>vit_base_patch16_224</c>, torchvision <c>vit_b_16</c> (ViT-B/16, 86 M parameters with 1000 classes).</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224, 224, Channels = 3), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[ExpectShape(Stage.Image, 224, 224, 3), ExpectShape(Stage.PatchTokens, 196, 768), ExpectShape(Stage.Tokens, 197, 768)]
public partial class VitBasePatch16 { }

/// <summary>timm <c>vit_base_patch32_224</c>, torchvision <c>vit_b_32</c> (ViT-B/32, 88 M parameters with 1000 classes).</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(32), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch32 { }

/// <summary>timm <c>vit_large_patch16_224</c>, torchvision <c>vit_l_16</c> (ViT-L/16, 304 M parameters with 1000 classes).</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
public partial class VitLargePatch16 { }

/// <summary>The paper's ViT-H/14 (632 M parameters with 1000 classes); torchvision's <c>vit_h_14</c> is the same at 518 px.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(14), Embed(1280), Depth(32), Heads(16), Mlp(5120)]
public partial class VitHugePatch14 { }
