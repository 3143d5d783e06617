using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// A fully connected layer, <c>y = x W^T + b</c>, with PyTorch's <c>nn.Linear</c> parameters, initialisation and
/// state_dict keys (<c>weight</c> [out, in], <c>bias</c> [out]), whose float32 CPU inference may take a faster GEMM path
/// (<see cref="PackedGemm"/>). Layers call it with <c>call</c> like any module, so its forward hooks fire; everything
/// else (training, other dtypes, other devices) is libtorch's <c>linear</c>.
/// </summary>
public sealed class PackableLinear : nn.Module<Tensor, Tensor>
{
    private PackedWeight? packed; // the CPU path's copy of the weight, checked before every use

    /// <summary>A layer from <paramref name="inFeatures"/> to <paramref name="outFeatures"/>, initialised as <c>nn.Linear</c> is.</summary>
    /// <param name="inFeatures">Width of each input row.</param>
    /// <param name="outFeatures">Width of each output row.</param>
    /// <param name="hasBias">Whether the layer adds a learned bias.</param>
    public PackableLinear(long inFeatures, long outFeatures, bool hasBias = true) : base(nameof(PackableLinear))
    {
        // nn.Linear's own initialisation (kaiming-uniform weight, uniform bias) from the global generator, drawn in the
        // same order, so that a seeded model gets the same weights as with nn.Linear.
        using var template = nn.Linear(inFeatures, outFeatures, hasBias);
        using (torch.no_grad())
        {
            // Each detached view is held in a local until its clone returns: as a bare temporary the collector may
            // finalise it (freeing the native tensor) while clone still reads it (a crash in the soak).
            using (var weight = template.weight!.detach()) register_parameter("weight", new Parameter(weight.clone()));
            if (hasBias)
            {
                using var bias = template.bias!.detach();
                register_parameter("bias", new Parameter(bias.clone()));
            }
        }
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
    }

    /// <summary>Width of each input row.</summary>
    public long InFeatures { get; }

    /// <summary>Width of each output row.</summary>
    public long OutFeatures { get; }

    /// <summary>The weight [out, in] (state_dict key <c>weight</c>).</summary>
#pragma warning disable IDE1006 // PyTorch's name, as on TorchSharp's Linear
    public Parameter weight
    {
        get => get_parameter("weight") ?? throw new InvalidOperationException("The layer has no weight.");
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            ConditionallyRegisterParameter("weight", value);
        }
    }

    /// <summary>The bias [out] (state_dict key <c>bias</c>), or null for a layer without one.</summary>
    public Parameter? bias
    {
        get => get_parameter("bias");
        set => ConditionallyRegisterParameter("bias", value);
    }
#pragma warning restore IDE1006

    /// <summary>[..., in] -> [..., out].</summary>
    public override Tensor forward(Tensor input) => CpuInference.Linear(input, weight, bias, ref packed);

    /// <summary>The number of forward hooks (pre or post, of any kind) registered on this layer.</summary>
    internal int ForwardHookCount => pre_hooks.Count + post_hooks.Count + module_pre_hooks.Count + module_post_hooks.Count;

    /// <summary>
    /// <c>GELU(forward(input))</c> as one call where the CPU path fuses the GELU into the product (see
    /// <see cref="CpuInference.LinearGelu"/>), or null where it does not. It bypasses <c>call</c>, so the caller takes it only
    /// when neither this layer nor its GELU has a hook registered.
    /// </summary>
    internal Tensor? ForwardWithGelu(Tensor input) => CpuInference.LinearGelu(input, weight, bias, ref packed);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) PackedWeight.Release(ref packed);
        base.Dispose(disposing);
    }

    /// <summary>Every <see cref="PackableLinear"/> in <paramref name="model"/> (itself included), once each.</summary>
    internal static IEnumerable<PackableLinear> AllIn(nn.Module model) =>
        model.named_modules().Select(m => m.module).OfType<PackableLinear>().Concat(model is PackableLinear self ? [self] : []).Distinct();
}
