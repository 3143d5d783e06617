namespace ShapedVit.Training.Tests;

/// <summary>A generated ViT small enough for training tests: 8x8 grey images, 4 patches, one 16-wide block; dropout and drop path on, so resuming must restore the random state too.</summary>
[VisionTransformer(NumClasses = 10, Dropout = 0.1, DropPath = 0.1)]
[Image(8, 8, Channels = 1), Patch(4), Embed(16), Depth(2), Heads(2), Mlp(32)]
public partial class TinyVit { }

/// <summary>The same shapes with no dropout or drop path: a training step is then deterministic, for comparing two ways of taking it.</summary>
[VisionTransformer(NumClasses = 10)]
[Image(8, 8, Channels = 1), Patch(4), Embed(16), Depth(2), Heads(2), Mlp(32)]
public partial class PlainTinyVit { }

/// <summary>TinyVit's shapes with a 3-class head, for a 3-class image folder.</summary>
[VisionTransformer(NumClasses = 3, Dropout = 0.1)]
[Image(8, 8, Channels = 1), Patch(4), Embed(16), Depth(2), Heads(2), Mlp(32)]
public partial class ThreeClassTinyVit { }

/// <summary>A depth-3 TinyVit, the model timm's parameter groups were computed for (Fixtures/make_layer_decay_reference.py).</summary>
[VisionTransformer(NumClasses = 10)]
[Image(8, 8, Channels = 1), Patch(4), Embed(16), Depth(3), Heads(2), Mlp(32)]
public partial class DepthThreeTinyVit { }

/// <summary>The depth-3 TinyVit with two register tokens.</summary>
[VisionTransformer(NumClasses = 10, RegisterTokens = 2)]
[Image(8, 8, Channels = 1), Patch(4), Embed(16), Depth(3), Heads(2), Mlp(32)]
public partial class DepthThreeRegistersTinyVit { }

/// <summary>The depth-3 TinyVit as timm's GAP models with registers: no class token, two registers, mean pooling (fc_norm, no final norm).</summary>
[VisionTransformer(NumClasses = 10, ClassToken = false, RegisterTokens = 2, Pooling = Pooling.Mean)]
[Image(8, 8, Channels = 1), Patch(4), Embed(16), Depth(3), Heads(2), Mlp(32)]
public partial class DepthThreeGapRegistersTinyVit { }

/// <summary>The depth-3 TinyVit as DeiT's distilled ViT: a distillation token after the class token and a second head, head_dist.</summary>
[VisionTransformer(NumClasses = 10, DistillationToken = true)]
[Image(8, 8, Channels = 1), Patch(4), Embed(16), Depth(3), Heads(2), Mlp(32)]
public partial class DepthThreeDistilledTinyVit { }
