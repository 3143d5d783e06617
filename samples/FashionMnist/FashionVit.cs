namespace ShapedVit.Samples.FashionMnist;

/// <summary>
/// The Vision Transformer the sample trains from scratch on 28x28 Fashion-MNIST, sized for a 2-core CPU:
/// 4x4 patches (49 tokens + class token), 64 wide, 4 blocks. Cost grows with tokens x width x depth; 7x7 patches
/// would be ~3x cheaper but see too coarse a grid, a wider or deeper model would not reach enough epochs in 15 minutes.
/// Mean pooling trains faster than the class token on small data.
/// </summary>
[VisionTransformer(NumClasses = 10, Pooling = Pooling.Mean)]
[Image(28, 28, Channels = 1), Patch(4), Embed(64), Depth(4), Heads(4), Mlp(128)]
public partial class FashionVit { }
