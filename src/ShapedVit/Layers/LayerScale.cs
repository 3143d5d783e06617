using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>Per-channel learned scale of a residual branch (CaiT; timm's <c>ls1.gamma</c>, <c>ls2.gamma</c>).</summary>
public sealed class LayerScale : nn.Module<Tensor, Tensor>
{
    private readonly Parameter gamma;

    /// <summary>A scale of <paramref name="dim"/> channels, each starting at <paramref name="initValue"/>.</summary>
    public LayerScale(long dim, double initValue) : base(nameof(LayerScale))
    {
        // torch.full(dim, initValue) would make a temporary Scalar that can be finalized while libtorch reads it (see Scalars).
        using (Scalar value = initValue) gamma = nn.Parameter(torch.full(dim, value));
        InitValue = initValue;
        RegisterComponents();
    }

    /// <summary>The value every channel's scale starts at.</summary>
    public double InitValue { get; }
    /// <summary>The learned per-channel scale, shape [D].</summary>
    public Parameter Gamma => gamma;

    /// <summary>[B, N, D] -> [B, N, D]: multiplies the last dimension by <see cref="Gamma"/>.</summary>
    public override Tensor forward(Tensor input) => input.mul(gamma);
}
