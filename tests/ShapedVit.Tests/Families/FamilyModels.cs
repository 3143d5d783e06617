// The families' tiny models, declared as the timm reference fixtures (tests/Fixtures/timm/families) were built: image 32,
// patch 8, embed 48, depth 2, heads 4, MLP 96, 5 classes unless a case says otherwise. One declaration per case; the
// parity tests load CASE.weights.safetensors into it strictly. The fixtures' heads are 12 wide, which SVIT0012 warns of.
#pragma warning disable SVIT0012
namespace ShapedVit.Tests.Families;

#region Cases outside the encoder blocks (prefix tokens, position embedding, dynamic size, pre/final norm, pooling, heads)

/// <summary>timm's VisionTransformer at the base sizes (case <c>vit</c>).</summary>
[VisionTransformer(NumClasses = 5)]
[Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96)]
public partial class FamilyVit { }

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
