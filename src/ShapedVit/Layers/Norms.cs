using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>The norm layers a declaration's <see cref="NormKind"/> names, with timm's parameters and state_dict keys.</summary>
public static class Norms
{
    /// <summary>
    /// A norm of <paramref name="kind"/> over the last dimension, <paramref name="dim"/> wide: LayerNorm (TorchSharp's,
    /// keys <c>weight</c>, <c>bias</c>) or <see cref="RmsNorm"/> (key <c>weight</c>).
    /// </summary>
    /// <param name="kind">The norm's kind.</param>
    /// <param name="dim">Width of the normalised last dimension.</param>
    /// <param name="eps">The norm's epsilon (the declaration's <c>LayerNormEps</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a <see cref="NormKind"/>.</exception>
    public static nn.Module<Tensor, Tensor> Create(NormKind kind, long dim, double eps = VisionTransformerAttribute.DefaultLayerNormEps) => kind switch
    {
        NormKind.LayerNorm => nn.LayerNorm(dim, eps),
        NormKind.RmsNorm => new RmsNorm(dim, eps),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown norm kind."),
    };
}
