using ShapedVit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit;

/// <summary>
/// The one seam between the layers and the CPU machinery: <see cref="PackableLinear"/> hands every forward to
/// <see cref="Linear"/>, which applies the allocator tuning at the first inference forward (<see cref="CpuAllocator"/>),
/// runs the GEMM path chosen for this CPU (<see cref="GemmPathSelection"/>) with its packed weights
/// (<see cref="PackedWeight"/>, through <see cref="NativeGemm"/>), and falls back to libtorch's <c>linear</c> for
/// everything it does not take (training, other dtypes and devices, packing switched off).
/// </summary>
internal static class CpuInference
{
    private static readonly Lazy<NativeGemm?> native = new(NativeGemm.TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<GemmPathSelection> selection =
        new(() => GemmPathSelection.Select(CpuCapabilities.Detect(native.Value is not null)), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The native entry points, or null where any is missing.</summary>
    internal static NativeGemm? Native => native.Value;

    /// <summary>The path chosen for this process's CPU.</summary>
    internal static GemmPathSelection Selection => selection.Value;

    /// <summary>A path to use instead of the chosen one (the benchmark's <c>--path</c>); null uses <see cref="Selection"/>.</summary>
    internal static GemmPath? ForcedPath { get; set; }

    /// <summary>The path this process takes now for an eligible float32 CPU inference GEMM.</summary>
    internal static GemmPath ActivePath =>
        !PackedGemm.Enabled || native.Value is null ? GemmPath.LibTorchLinear : ForcedPath ?? selection.Value.Path;

    /// <summary><c>input W^T + b</c>, through the CPU path where it applies; <paramref name="cache"/> is the layer's packed copy.</summary>
    internal static Tensor Linear(Tensor input, Parameter weight, Parameter? bias, ref PackedWeight? cache)
    {
        if (torch.is_grad_enabled())
        {
            PackedWeight.Release(ref cache); // training: the weights change every step, a packed copy would only cost memory
            return nn.functional.linear(input, weight, bias);
        }
        if (input.device_type == DeviceType.CPU) CpuAllocator.EnsureTuned();
        if (ActivePath != GemmPath.OneMklPacked)
        {
            PackedWeight.Release(ref cache);
            return nn.functional.linear(input, weight, bias);
        }
        return PackedWeight.Forward(native.Value!, weight, bias, ref cache, input) ?? nn.functional.linear(input, weight, bias);
    }
}
