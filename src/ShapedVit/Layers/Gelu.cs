using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// Exact (erf) GELU, as <c>nn.GELU()</c>, that works in place when autograd is off (inference mode or no_grad): the MLP
/// hands it its hidden activation, which nothing else holds, so overwriting it saves a new 4D-wide buffer and a pass
/// over memory per block. With autograd on it returns a new tensor, since backward needs the input. The numbers are
/// the same either way (one kernel).
/// </summary>
public sealed class Gelu : nn.Module<Tensor, Tensor>
{
    /// <summary>A GELU with no parameters.</summary>
    public Gelu() : base(nameof(Gelu)) { }

    /// <summary>
    /// GELU of <paramref name="input"/>; with autograd off, <paramref name="input"/> itself is overwritten and returned
    /// (pass a tensor the caller no longer needs).
    /// </summary>
    public override Tensor forward(Tensor input) =>
        torch.is_grad_enabled() || input.requires_grad ? nn.functional.gelu(input) : input.gelu_();

    /// <summary>The number of forward hooks registered on this module (an MLP fuses its GELU into fc1 only when there are none).</summary>
    internal int ForwardHookCount => pre_hooks.Count + post_hooks.Count + module_pre_hooks.Count + module_post_hooks.Count;
}
