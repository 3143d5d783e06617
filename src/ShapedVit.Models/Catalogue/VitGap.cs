// Written by TimmTranslator (tests/ShapedVit.Models.Tests) from tests/Fixtures/timm/timm_catalogue.json (timm 1.0.29.dev0, aa4b5850).
// Do not edit: CatalogueSnapshotTests compares this file with the translation of timm's arguments
// (SHAPEDVIT_ACCEPT_SNAPSHOTS=1 rewrites it).
// ViT with average pooling, and with register tokens (timm's SBB weights): 7 architectures.
namespace ShapedVit.Models.Catalogue;

/// <summary>timm's <c>vit_base_patch16_gap_224</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=768, fc_norm=False, global_pool='avg', num_heads=16, patch_size=16)</c> at 224 px; default tag <c>untrained</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false)]
[Image(224), Patch(16), Embed(768), Depth(12), Heads(16), Mlp(3072)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class VitBasePatch16Gap224 { }

/// <summary>timm's <c>vit_base_patch16_reg4_gap_256</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=768, global_pool='avg', no_embed_class=True, num_heads=12, patch_size=16, reg_tokens=4)</c> at 256 px; default tag <c>untrained</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false, RegisterTokens = 4)]
[Image(256), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class VitBasePatch16Reg4Gap256 { }

/// <summary>timm's <c>vit_medium_patch16_gap_240</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=512, fc_norm=False, global_pool='avg', init_values=1e-06, num_heads=8, patch_size=16, qkv_bias=False)</c> at 240 px; default tag <c>sw_in12k</c>, 11821 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false, QkvBias = false, LayerScaleInit = 1e-6)]
[Image(240), Patch(16), Embed(512), Depth(12), Heads(8), Mlp(2048)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class VitMediumPatch16Gap240 { }

/// <summary>timm's <c>vit_medium_patch16_gap_256</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=512, fc_norm=False, global_pool='avg', init_values=1e-06, num_heads=8, patch_size=16, qkv_bias=False)</c> at 256 px; default tag <c>sw_in12k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false, QkvBias = false, LayerScaleInit = 1e-6)]
[Image(256), Patch(16), Embed(512), Depth(12), Heads(8), Mlp(2048)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class VitMediumPatch16Gap256 { }

/// <summary>timm's <c>vit_medium_patch16_gap_384</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=512, fc_norm=False, global_pool='avg', init_values=1e-06, num_heads=8, patch_size=16, qkv_bias=False)</c> at 384 px; default tag <c>sw_in12k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false, QkvBias = false, LayerScaleInit = 1e-6)]
[Image(384), Patch(16), Embed(512), Depth(12), Heads(8), Mlp(2048)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class VitMediumPatch16Gap384 { }

/// <summary>timm's <c>vit_medium_patch16_reg1_gap_256</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=512, global_pool='avg', init_values=1e-05, no_embed_class=True, num_heads=8, patch_size=16, reg_tokens=1)</c> at 256 px; default tag <c>sbb_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false, RegisterTokens = 1, LayerScaleInit = 1e-5)]
[Image(256), Patch(16), Embed(512), Depth(12), Heads(8), Mlp(2048)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class VitMediumPatch16Reg1Gap256 { }

/// <summary>timm's <c>vit_medium_patch16_reg4_gap_256</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=512, global_pool='avg', init_values=1e-05, no_embed_class=True, num_heads=8, patch_size=16, reg_tokens=4)</c> at 256 px; default tag <c>sbb_in12k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false, RegisterTokens = 4, LayerScaleInit = 1e-5)]
[Image(256), Patch(16), Embed(512), Depth(12), Heads(8), Mlp(2048)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class VitMediumPatch16Reg4Gap256 { }
