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
            Int8PackedWeight.Forward(gemm8, dnn8, weight, bias, ref cache, input, capabilities.Value, gelu) is { } quantized)
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

    /// <summary>
    /// The fewest tokens for which attention takes <see cref="Attention"/>'s oneDNN products instead of libtorch's
    /// scaled_dot_product_attention, on the CPUs where oneDNN's float32 path is chosen (docs/benchmarks.md, Run O, per
    /// layer: 0.89x SDPA's time at 401 tokens, 0.71-0.77x from 577 to 1,374, even at 325, 1.45-1.70x at ViT-B/16's 197).
    /// </summary>
    internal const long OneDnnAttentionMinimumTokens = 400;

    /// <summary>A choice to use instead of the token rule (the benchmark's A/B and tests); null follows the rule.</summary>
    internal static bool? ForcedOneDnnAttention { get; set; }

    /// <summary>
    /// <c>softmax(q k^T / sqrt(hd)) v</c> for q, k, v [B, H, N, hd] with each head's two products on oneDNN's float32
    /// inner product (the keys, then v^T, as the weight; plain layouts, no copies kept), where the call is float32 CPU
    /// inference on oneDNN's path with at least <see cref="OneDnnAttentionMinimumTokens"/> tokens; null elsewhere, and
    /// the caller runs libtorch's scaled_dot_product_attention. libtorch's CPU attention kernel multiplies its blocks
    /// through oneMKL, whose AVX2 kernels a CPU without AMX may get; oneDNN picks AVX-512 by instruction set. Returns a
    /// [B, H, N, hd] view of a [B, N, H, hd] tensor, so merging the heads afterwards copies nothing.
    /// </summary>
    internal static Tensor? Attention(Tensor q, Tensor k, Tensor v)
    {
        if (torch.is_grad_enabled() || q.device_type != DeviceType.CPU || q.dtype != ScalarType.Float32 || k.dtype != ScalarType.Float32 || v.dtype != ScalarType.Float32) return null;
        if (q.dim() != 4 || k.dim() != 4 || v.dim() != 4 || !q.shape.SequenceEqual(k.shape) || !q.shape.SequenceEqual(v.shape)) return null;
        long batch = q.shape[0], heads = q.shape[1], tokens = q.shape[2], width = q.shape[3];
        bool wanted = ForcedOneDnnAttention ?? (tokens >= OneDnnAttentionMinimumTokens && ActivePath == GemmPath.OneDnnPacked);
        if (!wanted || oneDnn.Value is not { } onednn || tokens == 0 || width == 0) return null;
        CpuAllocator.EnsureTuned();
        using var scope = NewDisposeScope();
        using var scale = (1.0 / Math.Sqrt(width)).ToScalar(); // held until the call returns (see Scalars)
        // Contiguous per head: q, k, v are usually views into the qkv projection, and an elementwise result keeps its
        // input's strides; oneDNN's product on a strided input ran 3x slower than SDPA in the model (Run O).
        var scaled = q.mul(scale).contiguous();              // [B, H, N, hd]
        var keys = k.contiguous();
        var valuesT = v.transpose(-2, -1).contiguous();      // [B, H, hd, N]
        var merged = torch.empty(new[] { batch, tokens, heads, width }, ScalarType.Float32);
        for (long b = 0; b < batch; b++)
        for (long h = 0; h < heads; h++)
        {
            using var head = NewDisposeScope();
            var scores = onednn.Linear(scaled[b, h], keys[b, h], null); // [N, N]
            var probabilities = scores.softmax(-1);
            merged[b, TensorIndex.Colon, h].copy_(onednn.Linear(probabilities, valuesT[b, h], null));
        }
        Interlocked.Increment(ref oneDnnAttentionCalls);
        return merged.transpose(1, 2).MoveToOuterDisposeScope();
    }

    private static long oneDnnAttentionCalls;

    /// <summary>How many attention calls ran on oneDNN's products (tests read it).</summary>
    internal static long OneDnnAttentionCalls => Interlocked.Read(ref oneDnnAttentionCalls);

    private static long fusedGeluCalls;

    /// <summary>How many Linear calls ran with the GELU fused in (tests read it).</summary>
    internal static long FusedGeluCalls => Interlocked.Read(ref fusedGeluCalls);
}
