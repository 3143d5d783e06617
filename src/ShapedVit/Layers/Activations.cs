using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>The MLP activations a declaration's <see cref="MlpActivation"/> names, each exactly as timm computes it.</summary>
public static class Activations
{
    /// <summary>A parameterless activation module: <see cref="Gelu"/>, <see cref="GeluTanh"/>, <see cref="QuickGelu"/> or <see cref="Silu"/>.</summary>
    /// <param name="activation">The activation.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is not an <see cref="MlpActivation"/>.</exception>
    public static nn.Module<Tensor, Tensor> Create(MlpActivation activation) => activation switch
    {
        MlpActivation.Gelu => new Gelu(),
        MlpActivation.GeluTanh => new GeluTanh(),
        MlpActivation.QuickGelu => new QuickGelu(),
        MlpActivation.Silu => new Silu(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown MLP activation."),
    };

    // The activations below, like Gelu, overwrite their input when autograd is off: the MLP hands them a hidden
    // activation nothing else holds.
    internal static bool InPlace(Tensor input) => !torch.is_grad_enabled() && !input.requires_grad;
}

/// <summary>GELU's tanh approximation, as <c>nn.GELU(approximate='tanh')</c> (timm's <c>gelu_tanh</c>, SigLIP). In place when autograd is off, as <see cref="Gelu"/>.</summary>
public sealed class GeluTanh : nn.Module<Tensor, Tensor>
{
    /// <summary>A tanh GELU with no parameters.</summary>
    public GeluTanh() : base(nameof(GeluTanh)) { }

    /// <summary>Tanh GELU of <paramref name="input"/>; with autograd off, <paramref name="input"/> itself is overwritten and returned.</summary>
    public override Tensor forward(Tensor input) =>
        Activations.InPlace(input) ? input.gelu_(TorchSharp.Modules.GELU.Approximate.tanh) : input.gelu(TorchSharp.Modules.GELU.Approximate.tanh);
}

/// <summary><c>x * sigmoid(1.702 x)</c> (timm's <c>QuickGELU</c>, OpenAI CLIP). With autograd off the product is written into the input.</summary>
public sealed class QuickGelu : nn.Module<Tensor, Tensor>
{
    private static readonly Scalar Factor = 1.702.ToScalar(); // alive for the process (see Scalars)

    /// <summary>A QuickGELU with no parameters.</summary>
    public QuickGelu() : base(nameof(QuickGelu)) { }

    /// <summary>QuickGELU of <paramref name="input"/>; with autograd off, <paramref name="input"/> itself is overwritten and returned.</summary>
    public override Tensor forward(Tensor input)
    {
        using var gate = input.mul(Factor).sigmoid_();
        return Activations.InPlace(input) ? input.mul_(gate) : input.mul(gate);
    }
}

/// <summary><c>x * sigmoid(x)</c>, as <c>nn.SiLU()</c> (the activation of SwiGLU). In place when autograd is off, as <see cref="Gelu"/>.</summary>
public sealed class Silu : nn.Module<Tensor, Tensor>
{
    /// <summary>A SiLU with no parameters.</summary>
    public Silu() : base(nameof(Silu)) { }

    /// <summary>SiLU of <paramref name="input"/>; with autograd off, <paramref name="input"/> itself is overwritten and returned.</summary>
    public override Tensor forward(Tensor input) =>
        Activations.InPlace(input) ? input.silu_() : input.silu();
}
