using ShapedVit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit;

/// <summary>
/// The one seam between the layers and the CPU machinery: <see cref="PackableLinear"/> hands every forward to
/// <see cref="Linear"/>, which applies the allocator tuning at the first inference forward (<see cref="CpuAllocator"/>),
/// runs the GEMM path chosen for this CPU (<see cref="GemmPathSelection"/>) with its copied weights
/// (<see cref="PackedWeight"/>, through <see cref="NativeGemm"/> and <see cref="NativeOneDnn"/>), or the int8 path for
/// the weights <see cref="Inference.Int8Inference"/> marked, and falls back to libtorch's <c>linear</c> for everything
/// it does not take (training, other dtypes and devices, packing switched off).
/// </summary>
internal static class CpuInference
{
    private static readonly Lazy<NativeGemm?> native = new(NativeGemm.TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<NativeOneDnn?> oneDnn = new(NativeOneDnn.TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<CpuCapabilities> capabilities =
        new(() => CpuCapabilities.Detect(native.Value is not null, oneDnn.Value is not null), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<NativeFbgemm?> fbgemm = new(NativeFbgemm.TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<GemmPathSelection> selection =
        new(() => GemmPathSelection.Select(capabilities.Value), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The native entry points, or null where any is missing.</summary>
    internal static NativeGemm? Native => native.Value;

    /// <summary>oneDNN's entry points, or null where any is missing.</summary>
    internal static NativeOneDnn? OneDnn => oneDnn.Value;

    /// <summary>This process's CPU and libtorch library.</summary>
    internal static CpuCapabilities Capabilities => capabilities.Value;

    /// <summary>The path chosen for this process's CPU.</summary>
    internal static GemmPathSelection Selection => selection.Value;

    /// <summary>A path to use instead of the chosen one (the benchmark's <c>--path</c>); null uses <see cref="Selection"/>.</summary>
    internal static GemmPath? ForcedPath { get; set; }

    /// <summary>fbgemm's int8 linear, or null where it is missing (loaded only where an int8 call is made to use it).</summary>
    internal static NativeFbgemm? Fbgemm => fbgemm.Value;

    /// <summary>An int8 product to use instead of the chosen one (tests and the benchmark); null uses <see cref="Int8Kernel"/>'s selection.</summary>
    internal static Int8Kernel? ForcedInt8Kernel { get; set; }

    /// <summary>The int8 product this process uses now (<see cref="Int8PackedWeight.SelectKernel"/>, or <see cref="ForcedInt8Kernel"/>).</summary>
    internal static Int8Kernel ActiveInt8Kernel
    {
        get
        {
            var kernel = ForcedInt8Kernel ?? Int8PackedWeight.SelectKernel(capabilities.Value, fbgemmAvailable: true);
            return kernel == Int8Kernel.Fbgemm && fbgemm.Value is null ? Int8Kernel.OneDnn : kernel;
        }
    }

    /// <summary>The path this process takes now for an eligible float32 CPU inference GEMM.</summary>
    internal static GemmPath ActivePath
    {
        get
        {
            if (!PackedGemm.Enabled || native.Value is null) return GemmPath.LibTorchLinear;
            var path = ForcedPath ?? selection.Value.Path;
            return path == GemmPath.OneDnnPacked && oneDnn.Value is null ? GemmPath.LibTorchLinear : path;
        }
    }

    /// <summary>
    /// The fewest rows for which a bfloat16 GEMM takes the blocked copy: ViT-B/16 at batch 8 (1,576 rows per GEMM) ran
    /// 1.09x faster with it, at batch 1 (197 rows) 0.92x, the copy's check costing more than the product saves
    /// (docs/benchmarks.md, run N). Fewer rows take libtorch's bfloat16 linear.
    /// </summary>
    internal const long BlockedBFloat16MinimumRows = 1024;

    private static long RowsOf(Tensor input, Tensor weight) => weight.dim() == 2 && weight.shape[1] > 0 ? input.numel() / weight.shape[1] : 0;

    /// <summary>Whether a bfloat16 inference GEMM takes oneDNN's blocked bfloat16 weights now (<see cref="GemmPathSelection.BlockedBFloat16"/>).
    /// A path forced to oneDNN's (tests, the benchmark's <c>--path</c>) takes it on any CPU.</summary>
    internal static bool BlockedBFloat16Active =>
        ActivePath == GemmPath.OneDnnPacked && (ForcedPath == GemmPath.OneDnnPacked || GemmPathSelection.BlockedBFloat16(Capabilities, GemmPath.OneDnnPacked));

    /// <summary><c>input W^T + b</c>, through the CPU path where it applies; <paramref name="cache"/> is the layer's packed copy.</summary>
    internal static Tensor Linear(Tensor input, Parameter weight, Parameter? bias, ref PackedWeight? cache)
    {
        if (torch.is_grad_enabled())
        {
            PackedWeight.Release(ref cache); // training: the weights change every step, a packed copy would only cost memory
            return nn.functional.linear(input, weight, bias);
        }
        if (input.device_type == DeviceType.CPU) CpuAllocator.EnsureTuned();
        if (CopiedWeightForward(input, weight, bias, ref cache, gelu: false) is { } result) return result;
        // libtorch's linear; a copy is dropped only where no copied path applies any more (a bfloat16 copy made for
        // larger calls is kept for them).
        bool noCopiedPath = input.dtype == ScalarType.BFloat16 ? !BlockedBFloat16Active : ActivePath == GemmPath.LibTorchLinear;
        if (noCopiedPath) PackedWeight.Release(ref cache);
        return nn.functional.linear(input, weight, bias);
    }

    /// <summary>
    /// <c>GELU(input W^T + b)</c> (erf form) in one oneDNN call, the GELU applied as a post-op while the product is still
    /// in cache, where the call takes oneDNN's float32 or bfloat16 path or the int8 path; null where it does not
    /// (training, other paths, dtypes and devices), and the caller then runs the Linear and the GELU apart.
    /// </summary>
    internal static Tensor? LinearGelu(Tensor input, Parameter weight, Parameter? bias, ref PackedWeight? cache)
    {
        if (torch.is_grad_enabled() || input.device_type != DeviceType.CPU) return null;
        CpuAllocator.EnsureTuned();
        var fused = CopiedWeightForward(input, weight, bias, ref cache, gelu: true);
        if (fused is not null) Interlocked.Increment(ref fusedGeluCalls);
        return fused;
    }

    /// <summary>
    /// The product (then GELU where <paramref name="gelu"/>) through the copied-weight path this call takes: int8 for the
    /// weights <see cref="Inference.Int8Inference"/> marked, oneDNN's blocked bfloat16 copy for large enough bfloat16
    /// calls, oneMKL's packed or oneDNN's blocked float32 copy by <see cref="ActivePath"/> (oneMKL's has no GELU post-op);
    /// null where none applies.
    /// </summary>
    private static Tensor? CopiedWeightForward(Tensor input, Parameter weight, Parameter? bias, ref PackedWeight? cache, bool gelu)
    {
        if (Inference.Int8Inference.IsMarked(weight) && native.Value is { } gemm8 && oneDnn.Value is { } dnn8 &&
            Int8PackedWeight.Forward(gemm8, dnn8, weight, bias, ref cache, input, capabilities.Value, gelu,
                                     ActiveInt8Kernel == Int8Kernel.Fbgemm ? fbgemm.Value : null) is { } quantized)
            return quantized;
        if (input.dtype == ScalarType.BFloat16)
            return BlockedBFloat16Active && RowsOf(input, weight) >= BlockedBFloat16MinimumRows
                ? OneDnnPackedWeight.Forward(native.Value!, oneDnn.Value!, weight, bias, ref cache, input, gelu)
                : null;
        return ActivePath switch
        {
            GemmPath.OneMklPacked when !gelu => OneMklPackedWeight.Forward(native.Value!, weight, bias, ref cache, input),
            GemmPath.OneDnnPacked => OneDnnPackedWeight.Forward(native.Value!, oneDnn.Value!, weight, bias, ref cache, input, gelu),
            _ => null,
        };
    }

    private static long fusedGeluCalls;

    /// <summary>How many Linear calls ran with the GELU fused in (tests read it).</summary>
    internal static long FusedGeluCalls => Interlocked.Read(ref fusedGeluCalls);
}
