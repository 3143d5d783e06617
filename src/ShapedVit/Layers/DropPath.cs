using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>Stochastic depth: in training, drops a whole residual branch per sample with probability p and rescales the rest.</summary>
public sealed class DropPath : nn.Module<Tensor, Tensor>
{
    /// <summary>Drops a sample's branch with probability <paramref name="probability"/>, in [0, 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> is outside [0, 1).</exception>
    public DropPath(double probability) : base(nameof(DropPath))
    {
        if (probability is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(probability), probability, "Drop-path probability must be in [0, 1).");
        Probability = probability;
    }

    /// <summary>The probability of dropping a sample's branch.</summary>
    public double Probability { get; }

    /// <summary>In training, zeroes each sample of <paramref name="input"/> with probability <see cref="Probability"/> and scales the rest by 1 / (1 - p); otherwise returns it unchanged. Any shape with the batch first.</summary>
    public override Tensor forward(Tensor input)
    {
        if (!training || Probability == 0) return input.alias();
        using var scope = NewDisposeScope();
        double keep = 1 - Probability;
        var shape = new long[input.dim()];
        Array.Fill(shape, 1L);
        shape[0] = input.shape[0];
        using var scale = keep.ToScalar(); // held until the call returns (see Scalars)
        var mask = torch.empty(shape, input.dtype, input.device).bernoulli_(keep).div_(scale);
        return input.mul(mask).MoveToOuterDisposeScope();
    }
}
