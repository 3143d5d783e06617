// Written by TimmTranslator (tests/ShapedVit.Models.Tests) from tests/Fixtures/timm/timm_catalogue.json (timm 1.0.29.dev0, aa4b5850).
// Do not edit: CatalogueSnapshotTests compares this file with the translation of timm's arguments
// (SHAPEDVIT_ACCEPT_SNAPSHOTS=1 rewrites it).
// EVA-02 (MIM, fine-tuned and CLIP): 11 architectures.
namespace ShapedVit.Models.Catalogue;

/// <summary>timm's <c>eva02_base_patch14_224</c>: <c>Eva(depth=12, embed_dim=768, img_size=224, mlp_ratio=2.6666666666666665, num_heads=12, patch_size=14, qkv_fused=False, ref_feat_shape=(16, 16), scale_mlp=True, swiglu_mlp=True, use_rot_pos_emb=True)</c> at 224 px; default tag <c>mim_in22k</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean)]
[Image(224), Patch(14), Embed(768), Depth(12), Heads(12), Mlp(2048, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)]
[Attention(SeparateProjections = true, Rotary = true, RotaryReferenceGrid = 16)]
public partial class Eva02BasePatch14_224 { }

/// <summary>timm's <c>eva02_base_patch14_448</c>: <c>Eva(depth=12, embed_dim=768, img_size=448, mlp_ratio=2.6666666666666665, num_heads=12, patch_size=14, qkv_fused=False, ref_feat_shape=(16, 16), scale_mlp=True, swiglu_mlp=True, use_rot_pos_emb=True)</c> at 448 px; default tag <c>mim_in22k_ft_in22k_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean)]
[Image(448), Patch(14), Embed(768), Depth(12), Heads(12), Mlp(2048, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)]
[Attention(SeparateProjections = true, Rotary = true, RotaryReferenceGrid = 16)]
public partial class Eva02BasePatch14_448 { }

/// <summary>timm's <c>eva02_base_patch16_clip_224</c>: <c>Eva(depth=12, embed_dim=768, global_pool='token', img_size=224, mlp_ratio=2.6666666666666665, num_heads=12, patch_size=16, qkv_fused=False, ref_feat_shape=(16, 16), scale_attn_inner=True, scale_mlp=True, swiglu_mlp=True, use_rot_pos_emb=True)</c> at 224 px; default tag <c>merged2b</c>, 512 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(2048, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)]
[Attention(SeparateProjections = true, InnerNorm = true, Rotary = true, RotaryReferenceGrid = 16)]
public partial class Eva02BasePatch16Clip224 { }

/// <summary>timm's <c>eva02_large_patch14_224</c>: <c>Eva(depth=24, embed_dim=1024, img_size=224, mlp_ratio=2.6666666666666665, num_heads=16, patch_size=14, qkv_fused=False, ref_feat_shape=(16, 16), scale_mlp=True, swiglu_mlp=True, use_rot_pos_emb=True)</c> at 224 px; default tag <c>mim_in22k</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean)]
[Image(224), Patch(14), Embed(1024), Depth(24), Heads(16), Mlp(2730, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)]
[Attention(SeparateProjections = true, Rotary = true, RotaryReferenceGrid = 16)]
public partial class Eva02LargePatch14_224 { }

/// <summary>timm's <c>eva02_large_patch14_448</c>: <c>Eva(depth=24, embed_dim=1024, img_size=448, mlp_ratio=2.6666666666666665, num_heads=16, patch_size=14, qkv_fused=False, ref_feat_shape=(16, 16), scale_mlp=True, swiglu_mlp=True, use_rot_pos_emb=True)</c> at 448 px; default tag <c>mim_in22k_ft_in22k_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean)]
[Image(448), Patch(14), Embed(1024), Depth(24), Heads(16), Mlp(2730, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)]
[Attention(SeparateProjections = true, Rotary = true, RotaryReferenceGrid = 16)]
public partial class Eva02LargePatch14_448 { }

/// <summary>timm's <c>eva02_large_patch14_clip_224</c>: <c>Eva(depth=24, embed_dim=1024, global_pool='token', img_size=224, mlp_ratio=2.6666666666666665, num_heads=16, patch_size=14, qkv_fused=False, ref_feat_shape=(16, 16), scale_attn_inner=True, scale_mlp=True, swiglu_mlp=True, use_rot_pos_emb=True)</c> at 224 px; default tag <c>merged2b</c>, 768 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(224), Patch(14), Embed(1024), Depth(24), Heads(16), Mlp(2730, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)]
[Attention(SeparateProjections = true, InnerNorm = true, Rotary = true, RotaryReferenceGrid = 16)]
public partial class Eva02LargePatch14Clip224 { }

/// <summary>timm's <c>eva02_large_patch14_clip_336</c>: <c>Eva(depth=24, embed_dim=1024, global_pool='token', img_size=336, mlp_ratio=2.6666666666666665, num_heads=16, patch_size=14, qkv_fused=False, ref_feat_shape=(16, 16), scale_attn_inner=True, scale_mlp=True, swiglu_mlp=True, use_rot_pos_emb=True)</c> at 336 px; default tag <c>merged2b</c>, 768 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true)]
[Image(336), Patch(14), Embed(1024), Depth(24), Heads(16), Mlp(2730, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)]
[Attention(SeparateProjections = true, InnerNorm = true, Rotary = true, RotaryReferenceGrid = 16)]
public partial class Eva02LargePatch14Clip336 { }

/// <summary>timm's <c>eva02_small_patch14_224</c>: <c>Eva(depth=12, embed_dim=384, img_size=224, mlp_ratio=2.6666666666666665, num_heads=6, patch_size=14, ref_feat_shape=(16, 16), swiglu_mlp=True, use_rot_pos_emb=True)</c> at 224 px; default tag <c>mim_in22k</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean)]
[Image(224), Patch(14), Embed(384), Depth(12), Heads(6), Mlp(2048, Activation = MlpActivation.Silu, Gate = MlpGate.Packed)]
[Attention(SeparateQvBias = true, Rotary = true, RotaryReferenceGrid = 16)]
public partial class Eva02SmallPatch14_224 { }

/// <summary>timm's <c>eva02_small_patch14_336</c>: <c>Eva(depth=12, embed_dim=384, img_size=336, mlp_ratio=2.6666666666666665, num_heads=6, patch_size=14, ref_feat_shape=(16, 16), swiglu_mlp=True, use_rot_pos_emb=True)</c> at 336 px; default tag <c>mim_in22k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean)]
[Image(336), Patch(14), Embed(384), Depth(12), Heads(6), Mlp(2048, Activation = MlpActivation.Silu, Gate = MlpGate.Packed)]
[Attention(SeparateQvBias = true, Rotary = true, RotaryReferenceGrid = 16)]
public partial class Eva02SmallPatch14_336 { }

/// <summary>timm's <c>eva02_tiny_patch14_224</c>: <c>Eva(depth=12, embed_dim=192, img_size=224, mlp_ratio=2.6666666666666665, num_heads=3, patch_size=14, ref_feat_shape=(16, 16), swiglu_mlp=True, use_rot_pos_emb=True)</c> at 224 px; default tag <c>mim_in22k</c>, headless.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean)]
[Image(224), Patch(14), Embed(192), Depth(12), Heads(3), Mlp(1024, Activation = MlpActivation.Silu, Gate = MlpGate.Packed)]
[Attention(SeparateQvBias = true, Rotary = true, RotaryReferenceGrid = 16)]
public partial class Eva02TinyPatch14_224 { }

/// <summary>timm's <c>eva02_tiny_patch14_336</c>: <c>Eva(depth=12, embed_dim=192, img_size=336, mlp_ratio=2.6666666666666665, num_heads=3, patch_size=14, ref_feat_shape=(16, 16), swiglu_mlp=True, use_rot_pos_emb=True)</c> at 336 px; default tag <c>mim_in22k_ft_in1k</c>, 1000 classes.</summary>
[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean)]
[Image(336), Patch(14), Embed(192), Depth(12), Heads(3), Mlp(1024, Activation = MlpActivation.Silu, Gate = MlpGate.Packed)]
[Attention(SeparateQvBias = true, Rotary = true, RotaryReferenceGrid = 16)]
public partial class Eva02TinyPatch14_336 { }
