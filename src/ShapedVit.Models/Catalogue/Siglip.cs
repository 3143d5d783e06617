// Written by TimmTranslator (tests/ShapedVit.Models.Tests) from tests/Fixtures/timm/timm_catalogue.json (timm 1.0.29.dev0, aa4b5850).
// Do not edit: CatalogueSnapshotTests compares this file with the translation of timm's arguments
// (SHAPEDVIT_ACCEPT_SNAPSHOTS=1 rewrites it).
// SigLIP and SigLIP 2 image towers: 16 architectures.
namespace ShapedVit.Models.Catalogue;

/// <summary>timm's <c>vit_base_patch16_siglip_224</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=768, global_pool='map', num_heads=12, patch_size=16)</c> at 224 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.AttentionPool, ClassToken = false)]
[Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch16Siglip224 { }

/// <summary>timm's <c>vit_base_patch16_siglip_256</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=768, global_pool='map', num_heads=12, patch_size=16)</c> at 256 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.AttentionPool, ClassToken = false)]
[Image(256), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch16Siglip256 { }

/// <summary>timm's <c>vit_base_patch16_siglip_384</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=768, global_pool='map', num_heads=12, patch_size=16)</c> at 384 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.AttentionPool, ClassToken = false)]
[Image(384), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch16Siglip384 { }

/// <summary>timm's <c>vit_base_patch16_siglip_512</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=768, global_pool='map', num_heads=12, patch_size=16)</c> at 512 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.AttentionPool, ClassToken = false)]
[Image(512), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
public partial class VitBasePatch16Siglip512 { }

/// <summary>timm's <c>vit_base_patch16_siglip_gap_224</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=768, fc_norm=False, global_pool='avg', num_heads=12, patch_size=16)</c> at 224 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false)]
[Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class VitBasePatch16SiglipGap224 { }

/// <summary>timm's <c>vit_base_patch16_siglip_gap_256</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=768, fc_norm=False, global_pool='avg', num_heads=12, patch_size=16)</c> at 256 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false)]
[Image(256), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class VitBasePatch16SiglipGap256 { }

/// <summary>timm's <c>vit_base_patch16_siglip_gap_384</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=768, fc_norm=False, global_pool='avg', num_heads=12, patch_size=16)</c> at 384 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false)]
[Image(384), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class VitBasePatch16SiglipGap384 { }

/// <summary>timm's <c>vit_base_patch16_siglip_gap_512</c>: <c>VisionTransformer(class_token=False, depth=12, embed_dim=768, fc_norm=False, global_pool='avg', num_heads=12, patch_size=16)</c> at 512 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false)]
[Image(512), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class VitBasePatch16SiglipGap512 { }

/// <summary>timm's <c>vit_base_patch32_siglip_256</c>: <c>VisionTransformer(act_layer='gelu_tanh', class_token=False, depth=12, embed_dim=768, global_pool='map', num_heads=12, patch_size=32)</c> at 256 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.AttentionPool, ClassToken = false)]
[Image(256), Patch(32), Embed(768), Depth(12), Heads(12), Mlp(3072, Activation = MlpActivation.GeluTanh)]
public partial class VitBasePatch32Siglip256 { }

/// <summary>timm's <c>vit_base_patch32_siglip_gap_256</c>: <c>VisionTransformer(act_layer='gelu_tanh', class_token=False, depth=12, embed_dim=768, fc_norm=False, global_pool='avg', num_heads=12, patch_size=32)</c> at 256 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false)]
[Image(256), Patch(32), Embed(768), Depth(12), Heads(12), Mlp(3072, Activation = MlpActivation.GeluTanh)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class VitBasePatch32SiglipGap256 { }

/// <summary>timm's <c>vit_large_patch16_siglip_256</c>: <c>VisionTransformer(class_token=False, depth=24, embed_dim=1024, global_pool='map', num_heads=16, patch_size=16)</c> at 256 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.AttentionPool, ClassToken = false)]
[Image(256), Patch(16), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
public partial class VitLargePatch16Siglip256 { }

/// <summary>timm's <c>vit_large_patch16_siglip_384</c>: <c>VisionTransformer(class_token=False, depth=24, embed_dim=1024, global_pool='map', num_heads=16, patch_size=16)</c> at 384 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.AttentionPool, ClassToken = false)]
[Image(384), Patch(16), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
public partial class VitLargePatch16Siglip384 { }

/// <summary>timm's <c>vit_large_patch16_siglip_512</c>: <c>VisionTransformer(act_layer='gelu_tanh', class_token=False, depth=24, embed_dim=1024, global_pool='map', num_heads=16, patch_size=16)</c> at 512 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.AttentionPool, ClassToken = false)]
[Image(512), Patch(16), Embed(1024), Depth(24), Heads(16), Mlp(4096, Activation = MlpActivation.GeluTanh)]
public partial class VitLargePatch16Siglip512 { }

/// <summary>timm's <c>vit_large_patch16_siglip_gap_256</c>: <c>VisionTransformer(class_token=False, depth=24, embed_dim=1024, fc_norm=False, global_pool='avg', num_heads=16, patch_size=16)</c> at 256 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false)]
[Image(256), Patch(16), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class VitLargePatch16SiglipGap256 { }

/// <summary>timm's <c>vit_large_patch16_siglip_gap_384</c>: <c>VisionTransformer(class_token=False, depth=24, embed_dim=1024, fc_norm=False, global_pool='avg', num_heads=16, patch_size=16)</c> at 384 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false)]
[Image(384), Patch(16), Embed(1024), Depth(24), Heads(16), Mlp(4096)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class VitLargePatch16SiglipGap384 { }

/// <summary>timm's <c>vit_large_patch16_siglip_gap_512</c>: <c>VisionTransformer(act_layer='gelu_tanh', class_token=False, depth=24, embed_dim=1024, fc_norm=False, global_pool='avg', num_heads=16, patch_size=16)</c> at 512 px; default tag <c>v2_webli</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false)]
[Image(512), Patch(16), Embed(1024), Depth(24), Heads(16), Mlp(4096, Activation = MlpActivation.GeluTanh)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class VitLargePatch16SiglipGap512 { }
