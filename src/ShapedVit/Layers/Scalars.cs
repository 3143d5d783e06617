using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// Scalars that libtorch can read safely. TorchSharp 0.107's <see cref="Scalar"/> has a finalizer, and its tensor methods
/// pass <c>scalar.Handle</c> to native code without keeping the Scalar alive, so a temporary one (<c>a.add(b)</c> makes one
/// for alpha = 1, <c>x.mul_(0.9)</c> one for 0.9) can be finalized, and its native value deleted, while the operation still
/// reads it; libtorch then fails with "Expected false to be true" from <c>Scalar::toFloat</c> (docs/benchmarks.md,
/// "Scalars", has how often). Hot paths use these cached Scalars, or a Scalar held by <c>using</c> until the call has
/// returned.
/// </summary>
/// <remarks>Infrastructure for generated code and the library itself, hidden from IntelliSense: not meant to be called from user code.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class Scalars
{
    /// <summary>1, alive for the whole process (the alpha of a plain addition).</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary><paramref name="a"/> + <paramref name="b"/> (broadcasting), without a temporary Scalar.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);
}
