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
