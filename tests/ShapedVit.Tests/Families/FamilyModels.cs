// The families' declarations, one per case of tests/Fixtures/timm/families (each case's declaration is in its README).
// The fixtures are timm's tiny models: 48 wide with 4 heads, a head width of 12 (SVIT0012 advises a multiple of 8 for speed).
#pragma warning disable SVIT0012
namespace ShapedVit.Tests.Families;

#region Block options (qk-norm, RMSNorm, gated MLPs, activations, EVA-02 attention and rotary embedding)

/// <summary>timm VisionTransformer with <c>qk_norm=True, norm_layer=RmsNorm, qkv_bias=False</c> (case <c>qknorm_rms</c>).</summary>
[VisionTransformer(NumClasses = 5, QkvBias = false)]
[Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96)]
[Norm(NormKind.RmsNorm), Attention(QkNorm = true)]
public partial class QkNormRmsVit { }

/// <summary>timm VisionTransformer with <c>mlp_layer=SwiGLUPacked, act_layer=nn.SiLU</c> (case <c>swiglu_packed</c>).</summary>
[VisionTransformer(NumClasses = 5)]
[Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96, Activation = MlpActivation.Silu, Gate = MlpGate.Packed)]
public partial class SwiGluPackedVit { }

/// <summary>OpenAI CLIP's image tower with QuickGELU (case <c>clip_quickgelu</c>).</summary>
[VisionTransformer(NumClasses = 5, LayerNormEps = 1e-5)]
[Image(32), Patch(8, Bias = false), Embed(48), Depth(2), Heads(4), Mlp(96, Activation = MlpActivation.QuickGelu)]
[Norm(PreNorm = true)]
public partial class ClipQuickGeluVit { }

/// <summary>timm's Eva as EVA-02 (separate q/k/v, rotary embedding, SwiGLU with inner norm, mean pooling; case <c>eva02</c>).</summary>
[VisionTransformer(NumClasses = 5, Pooling = Pooling.Mean)]
[Image(28, DynamicSize = true), Patch(7), Embed(48), Depth(2), Heads(4), Mlp(128, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)]
[Attention(SeparateProjections = true, Rotary = true, RotaryReferenceGrid = 2)]
public partial class Eva02Vit { }

/// <summary>EVA-02 CLIP: eva02 with the attention inner norm and class-token pooling (case <c>eva02_clip</c>).</summary>
[VisionTransformer(NumClasses = 5)]
[Image(28, DynamicSize = true), Patch(7), Embed(48), Depth(2), Heads(4), Mlp(128, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)]
[Attention(SeparateProjections = true, InnerNorm = true, Rotary = true, RotaryReferenceGrid = 2)]
public partial class Eva02ClipVit { }

/// <summary>EVA-02 Tiny/Small's layout: fused qkv with q_bias/v_bias, packed SwiGLU (case <c>eva02_fused</c>).</summary>
[VisionTransformer(NumClasses = 5, Pooling = Pooling.Mean)]
[Image(28, DynamicSize = true), Patch(7), Embed(48), Depth(2), Heads(4), Mlp(256, Activation = MlpActivation.Silu, Gate = MlpGate.Packed)]
[Attention(SeparateQvBias = true, Rotary = true, RotaryReferenceGrid = 2)]
public partial class Eva02FusedVit { }

#endregion

#region Cases outside the encoder blocks (prefix tokens, position embedding, dynamic size, pre/final norm, pooling, heads)

/// <summary>timm's VisionTransformer at the base sizes (case <c>vit</c>).</summary>
[VisionTransformer(NumClasses = 5)]
[Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96)]
public partial class FamilyVit { }

/// <summary>One input channel (timm's in_chans=1; case <c>vit_token_1ch</c>).</summary>
[VisionTransformer(NumClasses = 5)]
[Image(32, Channels = 1), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96)]
public partial class FamilyVitOneChannel { }

/// <summary>No class token, two registers, no_embed_class, mean pooling, dynamic size (case <c>vit_gap_reg</c>).</summary>
[VisionTransformer(NumClasses = 5, ClassToken = false, RegisterTokens = 2, Pooling = Pooling.Mean)]
[Image(32, DynamicSize = true), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class FamilyVitGapReg { }

/// <summary>DeiT's VisionTransformerDistilled: dist_token and head_dist (case <c>deit_distilled</c>).</summary>
[VisionTransformer(NumClasses = 5, DistillationToken = true)]
[Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96)]
public partial class FamilyDeitDistilled { }

/// <summary>DeiT-III: LayerScale, no_embed_class (case <c>deit3</c>).</summary>
[VisionTransformer(NumClasses = 5, LayerScaleInit = 1e-6)]
[Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class FamilyDeit3 { }

/// <summary>CLIP's image tower: pre-norm, no patch bias, LayerNorm eps 1e-5 (case <c>clip</c>).</summary>
[VisionTransformer(NumClasses = 5, LayerNormEps = 1e-5)]
[Image(32), Patch(8, Bias = false), Embed(48), Depth(2), Heads(4), Mlp(96)]
[Norm(PreNorm = true)]
public partial class FamilyClip { }

/// <summary>SigLIP: no class token, attention-pool (MAP) head, tanh GELU, dynamic size (case <c>siglip_map</c>).</summary>
[VisionTransformer(NumClasses = 5, ClassToken = false, Pooling = Pooling.AttentionPool)]
[Image(32, DynamicSize = true), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96, Activation = MlpActivation.GeluTanh)]
public partial class FamilySiglipMap { }

/// <summary>SigLIP with mean pooling and the final norm on the tokens (fc_norm=False; case <c>siglip_gap</c>).</summary>
[VisionTransformer(NumClasses = 5, ClassToken = false, Pooling = Pooling.Mean)]
[Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96, Activation = MlpActivation.GeluTanh)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class FamilySiglipGap { }

/// <summary>DINOv2: image 28, patch 7, LayerScale, dynamic size (case <c>dinov2</c>).</summary>
[VisionTransformer(NumClasses = 5, LayerScaleInit = 1e-5)]
[Image(28, DynamicSize = true), Patch(7), Embed(48), Depth(2), Heads(4), Mlp(96)]
public partial class FamilyDinov2 { }

/// <summary>DINOv2 with four registers and no_embed_class (case <c>dinov2_reg</c>).</summary>
[VisionTransformer(NumClasses = 5, LayerScaleInit = 1e-5, RegisterTokens = 4)]
[Image(28, DynamicSize = true), Patch(7), Embed(48), Depth(2), Heads(4), Mlp(96)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class FamilyDinov2Reg { }

/// <summary>No position embedding at all (timm's pos_embed='none'; case <c>no_pos_embed</c>).</summary>
[VisionTransformer(NumClasses = 5)]
[Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96)]
[PositionEmbedding(PositionEmbeddingKind.None)]
public partial class FamilyNoPosEmbed { }

#endregion
