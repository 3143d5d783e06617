// Written by TimmTranslator (tests/ShapedVit.Models.Tests) from tests/Fixtures/timm/timm_catalogue.json (timm 1.0.29.dev0, aa4b5850).
// Do not edit: CatalogueSnapshotTests compares this file with the translation of timm's arguments
// (SHAPEDVIT_ACCEPT_SNAPSHOTS=1 rewrites it).
// CLIP image towers (OpenAI, LAION, DataComp, DFN, MetaCLIP, TinyCLIP): 10 architectures.
namespace ShapedVit.Models.Catalogue;

/// <summary>timm's <c>vit_base_patch16_clip_224</c>: <c>VisionTransformer(depth=12, embed_dim=768, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=12, patch_size=16, pre_norm=True)</c> at 224 px; default tag <c>laion2b_ft_in12k_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(224), Patch(16, Bias = false), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[Norm(PreNorm = true)]
public partial class VitBasePatch16Clip224 { }

/// <summary>timm's <c>vit_base_patch16_clip_384</c>: <c>VisionTransformer(depth=12, embed_dim=768, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=12, patch_size=16, pre_norm=True)</c> at 384 px; default tag <c>laion2b_ft_in12k_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(384), Patch(16, Bias = false), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[Norm(PreNorm = true)]
public partial class VitBasePatch16Clip384 { }

/// <summary>timm's <c>vit_base_patch32_clip_224</c>: <c>VisionTransformer(depth=12, embed_dim=768, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=12, patch_size=32, pre_norm=True)</c> at 224 px; default tag <c>laion2b_ft_in12k_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(224), Patch(32, Bias = false), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[Norm(PreNorm = true)]
public partial class VitBasePatch32Clip224 { }

/// <summary>timm's <c>vit_base_patch32_clip_256</c>: <c>VisionTransformer(depth=12, embed_dim=768, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=12, patch_size=32, pre_norm=True)</c> at 256 px; default tag <c>datacompxl</c>, 512 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(256), Patch(32, Bias = false), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[Norm(PreNorm = true)]
public partial class VitBasePatch32Clip256 { }

/// <summary>timm's <c>vit_base_patch32_clip_384</c>: <c>VisionTransformer(depth=12, embed_dim=768, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=12, patch_size=32, pre_norm=True)</c> at 384 px; default tag <c>laion2b_ft_in12k_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(384), Patch(32, Bias = false), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[Norm(PreNorm = true)]
public partial class VitBasePatch32Clip384 { }

/// <summary>timm's <c>vit_base_patch32_clip_448</c>: <c>VisionTransformer(depth=12, embed_dim=768, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=12, patch_size=32, pre_norm=True)</c> at 448 px; default tag <c>laion2b_ft_in12k_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(448), Patch(32, Bias = false), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[Norm(PreNorm = true)]
public partial class VitBasePatch32Clip448 { }

/// <summary>timm's <c>vit_large_patch14_clip_224</c>: <c>VisionTransformer(depth=24, embed_dim=1024, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=16, patch_size=14, pre_norm=True)</c> at 224 px; default tag <c>laion2b_ft_in12k_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(224), Patch(14, Bias = false), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
[Norm(PreNorm = true)]
public partial class VitLargePatch14Clip224 { }

/// <summary>timm's <c>vit_large_patch14_clip_336</c>: <c>VisionTransformer(depth=24, embed_dim=1024, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=16, patch_size=14, pre_norm=True)</c> at 336 px; default tag <c>laion2b_ft_in12k_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(336), Patch(14, Bias = false), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
[Norm(PreNorm = true)]
public partial class VitLargePatch14Clip336 { }

/// <summary>timm's <c>vit_medium_patch16_clip_224</c>: <c>VisionTransformer(depth=12, embed_dim=512, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=8, pre_norm=True)</c> at 224 px; default tag <c>tinyclip_yfcc15m</c>, 512 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(224), Patch(16, Bias = false), Embed(512), Depth(12), Heads(8), Mlp(2048)]
[Norm(PreNorm = true)]
public partial class VitMediumPatch16Clip224 { }

/// <summary>timm's <c>vit_medium_patch32_clip_224</c>: <c>VisionTransformer(depth=12, embed_dim=512, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=8, patch_size=32, pre_norm=True)</c> at 224 px; default tag <c>tinyclip_laion400m</c>, 512 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(224), Patch(32, Bias = false), Embed(512), Depth(12), Heads(8), Mlp(2048)]
[Norm(PreNorm = true)]
public partial class VitMediumPatch32Clip224 { }
