// Written by TimmTranslator (tests/ShapedVit.Models.Tests) from tests/Fixtures/timm/timm_catalogue.json (timm 1.0.29.dev0, aa4b5850).
// Do not edit: CatalogueSnapshotTests compares this file with the translation of timm's arguments
// (SHAPEDVIT_ACCEPT_SNAPSHOTS=1 rewrites it).
// DeiT-III (Touvron et al., 2022): 7 architectures.
namespace ShapedVit.Models.Catalogue;

/// <summary>timm's <c>deit3_base_patch16_224</c>: <c>VisionTransformer(depth=12, embed_dim=768, init_values=1e-06, no_embed_class=True, num_heads=12, patch_size=16)</c> at 224 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerScaleInit = 1e-6)]
[Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class Deit3BasePatch16_224 { }

/// <summary>timm's <c>deit3_base_patch16_384</c>: <c>VisionTransformer(depth=12, embed_dim=768, init_values=1e-06, no_embed_class=True, num_heads=12, patch_size=16)</c> at 384 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerScaleInit = 1e-6)]
[Image(384), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class Deit3BasePatch16_384 { }

/// <summary>timm's <c>deit3_large_patch16_224</c>: <c>VisionTransformer(depth=24, embed_dim=1024, init_values=1e-06, no_embed_class=True, num_heads=16, patch_size=16)</c> at 224 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerScaleInit = 1e-6)]
[Image(224), Patch(16), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class Deit3LargePatch16_224 { }

/// <summary>timm's <c>deit3_large_patch16_384</c>: <c>VisionTransformer(depth=24, embed_dim=1024, init_values=1e-06, no_embed_class=True, num_heads=16, patch_size=16)</c> at 384 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerScaleInit = 1e-6)]
[Image(384), Patch(16), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class Deit3LargePatch16_384 { }

/// <summary>timm's <c>deit3_medium_patch16_224</c>: <c>VisionTransformer(depth=12, embed_dim=512, init_values=1e-06, no_embed_class=True, num_heads=8, patch_size=16)</c> at 224 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerScaleInit = 1e-6)]
[Image(224), Patch(16), Embed(512), Depth(12), Heads(8), Mlp(2048)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class Deit3MediumPatch16_224 { }

/// <summary>timm's <c>deit3_small_patch16_224</c>: <c>VisionTransformer(depth=12, embed_dim=384, init_values=1e-06, no_embed_class=True, num_heads=6, patch_size=16)</c> at 224 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerScaleInit = 1e-6)]
[Image(224), Patch(16), Embed(384), Depth(12), Heads(6), Mlp(1536)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class Deit3SmallPatch16_224 { }

/// <summary>timm's <c>deit3_small_patch16_384</c>: <c>VisionTransformer(depth=12, embed_dim=384, init_values=1e-06, no_embed_class=True, num_heads=6, patch_size=16)</c> at 384 px; default tag <c>fb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerScaleInit = 1e-6)]
[Image(384), Patch(16), Embed(384), Depth(12), Heads(6), Mlp(1536)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class Deit3SmallPatch16_384 { }
