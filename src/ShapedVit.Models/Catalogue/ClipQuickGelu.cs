// Written by TimmTranslator (tests/ShapedVit.Models.Tests) from tests/Fixtures/timm/timm_catalogue.json (timm 1.0.29.dev0, aa4b5850).
// Do not edit: CatalogueSnapshotTests compares this file with the translation of timm's arguments
// (SHAPEDVIT_ACCEPT_SNAPSHOTS=1 rewrites it).
// CLIP image towers with QuickGELU: 4 architectures.
namespace ShapedVit.Models.Catalogue;

/// <summary>timm's <c>vit_base_patch16_clip_quickgelu_224</c>: <c>VisionTransformer(act_layer='quick_gelu', depth=12, embed_dim=768, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=12, patch_size=16, pre_norm=True)</c> at 224 px; default tag <c>metaclip_2pt5b</c>, 512 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(224), Patch(16, Bias = false), Embed(768), Depth(12), Heads(12), Mlp(3072, Activation = MlpActivation.QuickGelu)]
[Norm(PreNorm = true)]
public partial class VitBasePatch16ClipQuickgelu224 { }

/// <summary>timm's <c>vit_base_patch32_clip_quickgelu_224</c>: <c>VisionTransformer(act_layer='quick_gelu', depth=12, embed_dim=768, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=12, patch_size=32, pre_norm=True)</c> at 224 px; default tag <c>laion400m_e32</c>, 512 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(224), Patch(32, Bias = false), Embed(768), Depth(12), Heads(12), Mlp(3072, Activation = MlpActivation.QuickGelu)]
[Norm(PreNorm = true)]
public partial class VitBasePatch32ClipQuickgelu224 { }

/// <summary>timm's <c>vit_large_patch14_clip_quickgelu_224</c>: <c>VisionTransformer(act_layer='quick_gelu', depth=24, embed_dim=1024, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=16, patch_size=14, pre_norm=True)</c> at 224 px; default tag <c>dfn2b</c>, 768 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(224), Patch(14, Bias = false), Embed(1024), Depth(24), Heads(16), Mlp(4096, Activation = MlpActivation.QuickGelu)]
[Norm(PreNorm = true)]
public partial class VitLargePatch14ClipQuickgelu224 { }

/// <summary>timm's <c>vit_large_patch14_clip_quickgelu_336</c>: <c>VisionTransformer(act_layer='quick_gelu', depth=24, embed_dim=1024, norm_layer=partial(LayerNorm, eps=1e-05), num_heads=16, patch_size=14, pre_norm=True)</c> at 336 px; default tag <c>openai</c>, 768 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]
[Image(336), Patch(14, Bias = false), Embed(1024), Depth(24), Heads(16), Mlp(4096, Activation = MlpActivation.QuickGelu)]
[Norm(PreNorm = true)]
public partial class VitLargePatch14ClipQuickgelu336 { }
