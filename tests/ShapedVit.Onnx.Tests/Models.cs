using ShapedVit;

namespace ShapedVit.Onnx.Tests;

// Models the export tests declare, generated while this project compiles. The first group copies the generator's
// snapshot declarations (tests/ShapedVit.Tests/Generation/SnapshotTests.cs) that are small enough to run here; the
// second covers each model option alone and in combination; the last are the checkpoint tests' torchvision models.

// --- Snapshot models ---
[VisionTransformer(Preset = VitPreset.Tiny)]
public partial class VitTi16 { }

[VisionTransformer(Preset = VitPreset.Small)]
public partial class VitS16 { }

[VisionTransformer(NumClasses = 10)]
[Image(256), Patch(32), Embed(1024), Depth(6), Heads(8), Mlp(2048)]
public partial class TutorialVit { }

[VisionTransformer(NumClasses = 5), Image(96, 160), Patch(16, 32), Embed(192), Depth(2), Heads(3)]
public partial class NonSquareVit { }

[VisionTransformer(NumClasses = 10), Image(28, 28, Channels = 1), Patch(7), Embed(64), Depth(4), Heads(4), Mlp(128)]
public partial class GrayscaleVit { }

[VisionTransformer(NumClasses = 100, RegisterTokens = 4, LayerScaleInit = 1e-5, DropPath = 0.1), Image(64), Patch(8), Embed(128), Depth(4), Heads(4)]
public partial class RegisterVit { }

[VisionTransformer(NumClasses = 10, Pooling = Pooling.Mean, ClassToken = false, QkvBias = false), Image(32), Patch(4), Embed(96), Depth(3), Heads(3)]
public partial class MeanPoolVit { }

[VisionTransformer(NumClasses = 10, RegisterTokens = 1, PatchDropout = 0.5), Image(28, 28, Channels = 1), Patch(4), Embed(64), Depth(2), Heads(2), Mlp(128)]
public partial class PatchDropVit { }

[VisionTransformer(NumClasses = 0, RepresentationSize = 256), Image(224), Patch(16), Embed(384), Depth(2), Heads(6)]
public partial class HeadlessVit { }

// --- Each option ---
/// <summary>Mean pooling with a class token and registers: the mean skips all three prefix tokens.</summary>
[VisionTransformer(NumClasses = 6, Pooling = Pooling.Mean, RegisterTokens = 2), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
public partial class MeanPoolWithPrefixVit { }

/// <summary>Headless without pre-logits: the pooled class token is the output.</summary>
[VisionTransformer(NumClasses = 0), Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
public partial class BackboneVit { }

/// <summary>Pre-logits (Linear + Tanh) before a head, LayerScale, no qkv bias, a LayerNorm epsilon of 1e-5, dropouts (eval: identity).</summary>
[VisionTransformer(NumClasses = 7, RepresentationSize = 32, LayerScaleInit = 0.1, QkvBias = false, LayerNormEps = 1e-5,
                   Dropout = 0.1, AttentionDropout = 0.1, DropPath = 0.2, PatchDropout = 0.25)]
[Image(24, 40, Channels = 2), Patch(4, 8), Embed(48), Depth(2), Heads(2), Mlp(80)]
public partial class EveryOptionVit { }

/// <summary>One head over the whole width, no prefix tokens, mean pooling, one block, one class.</summary>
[VisionTransformer(NumClasses = 1, Pooling = Pooling.Mean, ClassToken = false), Image(16), Patch(16), Embed(32), Depth(1), Heads(1)]
public partial class SinglePatchVit { }

// --- The checkpoint tests' torchvision models (tests/ShapedVit.Tests/Checkpoints/CheckpointModels.cs) ---
/// <summary>torchvision VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=4, hidden_dim=64, mlp_dim=256, num_classes=10).</summary>
[VisionTransformer(NumClasses = 10)]
[Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Mlp(256)]
public partial class TorchvisionMicro { }

/// <summary>torchvision VisionTransformer(image_size=48, patch_size=16, num_layers=3, num_heads=3, hidden_dim=48, mlp_dim=96, num_classes=7, representation_size=32).</summary>
[VisionTransformer(NumClasses = 7, RepresentationSize = 32)]
[Image(48), Patch(16), Embed(48), Depth(3), Heads(3), Mlp(96)]
public partial class TorchvisionPrelogits { }

/// <summary>The full-size ViT-B/16 (86.6 M parameters), for the slow test.</summary>
[VisionTransformer(Preset = VitPreset.Base)]
public partial class VitB16 { }
