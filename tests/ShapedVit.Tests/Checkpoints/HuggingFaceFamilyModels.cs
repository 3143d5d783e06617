using ShapedVit;

// timm's tiny family cases have 4 heads of 12 dimensions: slower attention kernels do not matter here.
#pragma warning disable SVIT0012

namespace ShapedVit.Tests.Checkpoints;

// The tiny family models of tests/Fixtures/timm/families, declared as the case table says, with the head each Hugging Face
// class has: Dinov2Model and SiglipVisionModel have none (their forward is the pre-logits), CLIPVisionModelWithProjection's
// projection is a 5-wide head, DeiTForImageClassificationWithTeacher has both heads, SiglipForImageClassification one.

/// <summary>timm dinov2 case as Dinov2Model (headless).</summary>
[VisionTransformer(NumClasses = 0, LayerScaleInit = 1e-5)]
[Image(28, DynamicSize = true), Patch(7), Embed(48), Depth(2), Heads(4), Mlp(96)]
public partial class HfDinov2 { }

/// <summary>timm dinov2_reg case as Dinov2WithRegistersModel (headless).</summary>
[VisionTransformer(NumClasses = 0, LayerScaleInit = 1e-5, RegisterTokens = 4)]
[Image(28, DynamicSize = true), Patch(7), Embed(48), Depth(2), Heads(4), Mlp(96)]
[PositionEmbedding(IncludePrefixTokens = false)]
public partial class HfDinov2Registers { }

/// <summary>timm deit_distilled case as DeiTForImageClassificationWithTeacher.</summary>
[VisionTransformer(NumClasses = 5, DistillationToken = true)]
[Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96)]
public partial class HfDeitDistilled { }

/// <summary>timm clip case as CLIPVisionModelWithProjection (projection_dim 5).</summary>
[VisionTransformer(NumClasses = 5, LayerNormEps = 1e-5)]
[Image(32), Patch(8, Bias = false), Embed(48), Depth(2), Heads(4), Mlp(96)]
[Norm(PreNorm = true)]
public partial class HfClip { }

/// <summary>timm clip_quickgelu case as CLIPVisionModelWithProjection with hidden_act quick_gelu.</summary>
[VisionTransformer(NumClasses = 5, LayerNormEps = 1e-5)]
[Image(32), Patch(8, Bias = false), Embed(48), Depth(2), Heads(4), Mlp(96, Activation = MlpActivation.QuickGelu)]
[Norm(PreNorm = true)]
public partial class HfClipQuickGelu { }

/// <summary>timm siglip_map case as SiglipVisionModel (headless: the attention-pooled features).</summary>
[VisionTransformer(NumClasses = 0, ClassToken = false, Pooling = Pooling.AttentionPool)]
[Image(32, DynamicSize = true), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96, Activation = MlpActivation.GeluTanh)]
public partial class HfSiglipMap { }

/// <summary>timm siglip_gap case as SiglipForImageClassification.</summary>
[VisionTransformer(NumClasses = 5, ClassToken = false, Pooling = Pooling.Mean)]
[Image(32), Patch(8), Embed(48), Depth(2), Heads(4), Mlp(96, Activation = MlpActivation.GeluTanh)]
[Norm(FinalNorm = FinalNorm.BeforePooling)]
public partial class HfSiglipGap { }
