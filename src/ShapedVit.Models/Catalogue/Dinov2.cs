// Written by TimmTranslator (tests/ShapedVit.Models.Tests) from tests/Fixtures/timm/timm_catalogue.json (timm 1.0.29.dev0, aa4b5850).
// Do not edit: CatalogueSnapshotTests compares this file with the translation of timm's arguments
// (SHAPEDVIT_ACCEPT_SNAPSHOTS=1 rewrites it).
// DINOv2, with and without registers: 6 architectures.
namespace ShapedVit.Models.Catalogue;

/// <summary>timm's <c>vit_base_patch14_dinov2</c>: <c>VisionTransformer(depth=12, embed_dim=768, init_values=1e-05, num_heads=12, patch_size=14)</c> at 518 px; default tag <c>lvd142m</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerScaleInit = 1e-5)]
[Image(518), Patch(14), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch14Dinov2 { }

/// <summary>timm's <c>vit_base_patch14_reg4_dinov2</c>: <c>VisionTransformer(depth=12, embed_dim=768, init_values=1e-05, no_embed_class=True, num_heads=12, patch_size=14, reg_tokens=4)</c> at 518 px; default tag <c>lvd142m</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, RegisterTokens = 4, LayerScaleInit = 1e-5)]
[Image(518), Patch(14), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class VitBasePatch14Reg4Dinov2 { }

/// <summary>timm's <c>vit_large_patch14_dinov2</c>: <c>VisionTransformer(depth=24, embed_dim=1024, init_values=1e-05, num_heads=16, patch_size=14)</c> at 518 px; default tag <c>lvd142m</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerScaleInit = 1e-5)]
[Image(518), Patch(14), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
public partial class VitLargePatch14Dinov2 { }

/// <summary>timm's <c>vit_large_patch14_reg4_dinov2</c>: <c>VisionTransformer(depth=24, embed_dim=1024, init_values=1e-05, no_embed_class=True, num_heads=16, patch_size=14, reg_tokens=4)</c> at 518 px; default tag <c>lvd142m</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, RegisterTokens = 4, LayerScaleInit = 1e-5)]
[Image(518), Patch(14), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class VitLargePatch14Reg4Dinov2 { }

/// <summary>timm's <c>vit_small_patch14_dinov2</c>: <c>VisionTransformer(depth=12, embed_dim=384, init_values=1e-05, num_heads=6, patch_size=14)</c> at 518 px; default tag <c>lvd142m</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerScaleInit = 1e-5)]
[Image(518), Patch(14), Embed(384), Depth(12), Heads(6), Mlp(1536)]
public partial class VitSmallPatch14Dinov2 { }

/// <summary>timm's <c>vit_small_patch14_reg4_dinov2</c>: <c>VisionTransformer(depth=12, embed_dim=384, init_values=1e-05, no_embed_class=True, num_heads=6, patch_size=14, reg_tokens=4)</c> at 518 px; default tag <c>lvd142m</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, RegisterTokens = 4, LayerScaleInit = 1e-5)]
[Image(518), Patch(14), Embed(384), Depth(12), Heads(6), Mlp(1536)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class VitSmallPatch14Reg4Dinov2 { }
