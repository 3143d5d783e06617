// Written by TimmTranslator (tests/ShapedVit.Models.Tests) from tests/Fixtures/timm/timm_catalogue.json (timm 1.0.29.dev0, aa4b5850).
// Do not edit: CatalogueSnapshotTests compares this file with the translation of timm's arguments
// (SHAPEDVIT_ACCEPT_SNAPSHOTS=1 rewrites it).
// The original ViT (Dosovitskiy et al.; timm's augreg, MIIL, DINO and MAE weights): 18 architectures.
namespace ShapedVit.Models.Catalogue;

/// <summary>timm's <c>vit_base_patch16_224</c>: <c>VisionTransformer(depth=12, embed_dim=768, num_heads=12, patch_size=16)</c> at 224 px; default tag <c>augreg2_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch16_224 { }

/// <summary>timm's <c>vit_base_patch16_224_miil</c>: <c>VisionTransformer(depth=12, embed_dim=768, num_heads=12, patch_size=16, qkv_bias=False)</c> at 224 px; default tag <c>in21k</c>, 11221 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, QkvBias = false)]
[Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch16_224Miil { }

/// <summary>timm's <c>vit_base_patch16_384</c>: <c>VisionTransformer(depth=12, embed_dim=768, num_heads=12, patch_size=16)</c> at 384 px; default tag <c>augreg_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(384), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch16_384 { }

/// <summary>timm's <c>vit_base_patch32_224</c>: <c>VisionTransformer(depth=12, embed_dim=768, num_heads=12, patch_size=32)</c> at 224 px; default tag <c>augreg_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(32), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch32_224 { }

/// <summary>timm's <c>vit_base_patch32_384</c>: <c>VisionTransformer(depth=12, embed_dim=768, num_heads=12, patch_size=32)</c> at 384 px; default tag <c>augreg_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(384), Patch(32), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch32_384 { }

/// <summary>timm's <c>vit_base_patch8_224</c>: <c>VisionTransformer(depth=12, embed_dim=768, num_heads=12, patch_size=8)</c> at 224 px; default tag <c>augreg2_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(8), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch8_224 { }

/// <summary>timm's <c>vit_large_patch14_224</c>: <c>VisionTransformer(depth=24, embed_dim=1024, num_heads=16, patch_size=14)</c> at 224 px; default tag <c>untrained</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(14), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
public partial class VitLargePatch14_224 { }

/// <summary>timm's <c>vit_large_patch16_224</c>: <c>VisionTransformer(depth=24, embed_dim=1024, num_heads=16, patch_size=16)</c> at 224 px; default tag <c>augreg_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
public partial class VitLargePatch16_224 { }

/// <summary>timm's <c>vit_large_patch16_384</c>: <c>VisionTransformer(depth=24, embed_dim=1024, num_heads=16, patch_size=16)</c> at 384 px; default tag <c>augreg_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(384), Patch(16), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
public partial class VitLargePatch16_384 { }

/// <summary>timm's <c>vit_large_patch32_224</c>: <c>VisionTransformer(depth=24, embed_dim=1024, num_heads=16, patch_size=32)</c> at 224 px; default tag <c>orig_in21k</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(32), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
public partial class VitLargePatch32_224 { }

/// <summary>timm's <c>vit_large_patch32_384</c>: <c>VisionTransformer(depth=24, embed_dim=1024, num_heads=16, patch_size=32)</c> at 384 px; default tag <c>orig_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(384), Patch(32), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
public partial class VitLargePatch32_384 { }

/// <summary>timm's <c>vit_small_patch16_224</c>: <c>VisionTransformer(depth=12, embed_dim=384, num_heads=6, patch_size=16)</c> at 224 px; default tag <c>augreg_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(384), Depth(12), Heads(6), Mlp(1536)]
public partial class VitSmallPatch16_224 { }

/// <summary>timm's <c>vit_small_patch16_384</c>: <c>VisionTransformer(depth=12, embed_dim=384, num_heads=6, patch_size=16)</c> at 384 px; default tag <c>augreg_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(384), Patch(16), Embed(384), Depth(12), Heads(6), Mlp(1536)]
public partial class VitSmallPatch16_384 { }

/// <summary>timm's <c>vit_small_patch32_224</c>: <c>VisionTransformer(depth=12, embed_dim=384, num_heads=6, patch_size=32)</c> at 224 px; default tag <c>augreg_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(32), Embed(384), Depth(12), Heads(6), Mlp(1536)]
public partial class VitSmallPatch32_224 { }

/// <summary>timm's <c>vit_small_patch32_384</c>: <c>VisionTransformer(depth=12, embed_dim=384, num_heads=6, patch_size=32)</c> at 384 px; default tag <c>augreg_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(384), Patch(32), Embed(384), Depth(12), Heads(6), Mlp(1536)]
public partial class VitSmallPatch32_384 { }

/// <summary>timm's <c>vit_small_patch8_224</c>: <c>VisionTransformer(depth=12, embed_dim=384, num_heads=6, patch_size=8)</c> at 224 px; default tag <c>dino</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(8), Embed(384), Depth(12), Heads(6), Mlp(1536)]
public partial class VitSmallPatch8_224 { }

/// <summary>timm's <c>vit_tiny_patch16_224</c>: <c>VisionTransformer(depth=12, embed_dim=192, num_heads=3, patch_size=16)</c> at 224 px; default tag <c>augreg_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(192), Depth(12), Heads(3), Mlp(768)]
public partial class VitTinyPatch16_224 { }

/// <summary>timm's <c>vit_tiny_patch16_384</c>: <c>VisionTransformer(depth=12, embed_dim=192, num_heads=3, patch_size=16)</c> at 384 px; default tag <c>augreg_in21k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(384), Patch(16), Embed(192), Depth(12), Heads(3), Mlp(768)]
public partial class VitTinyPatch16_384 { }
