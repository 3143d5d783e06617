using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// Root-mean-square norm over the last dimension with a learned per-channel weight and no bias (timm's <c>RmsNorm</c>,
/// state_dict key <c>weight</c>): <c>x * rsqrt(mean(x^2) + eps) * weight</c>, computed in the input's dtype in that
/// order, as timm's <c>rms_norm</c> does when apex is absent.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Scalar epsilon; // held for the module's life: libtorch reads it during add (see Scalars)
    private static readonly long[] LastDim = [-1];

    /// <summary>An RMSNorm over <paramref name="dim"/> channels, the weight starting at 1.</summary>
    /// <param name="dim">Width of the normalised last dimension.</param>
    /// <param name="eps">Added to the mean square before the reciprocal square root.</param>
    public RmsNorm(long dim, double eps = VisionTransformerAttribute.DefaultLayerNormEps) : base(nameof(RmsNorm))
    {
        weight = nn.Parameter(torch.ones(dim));
        Eps = eps;
        epsilon = eps.ToScalar();
        RegisterComponents();
    }

    /// <summary>The epsilon added to the mean square.</summary>
    public double Eps { get; }
    /// <summary>The per-channel weight, shape [D].</summary>
    public Parameter Weight => weight;

    /// <summary>[..., D] -> [..., D].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var meanSquare = input.pow(2).mean(LastDim, keepdim: true);
        return input.mul(meanSquare.add_(epsilon).rsqrt_()).mul_(weight).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) epsilon.Dispose();
        base.Dispose(disposing);
    }
}
