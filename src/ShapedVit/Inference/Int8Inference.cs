using System.Runtime.CompilerServices;
using ShapedVit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Inference;

/// <summary>
/// int8 dynamic quantization for CPU serving: every <see cref="PackableLinear"/> of a model (the blocks' qkv, proj, fc1
/// and fc2) multiplies in int8, with its weight quantized per output channel (symmetric int8, one scale per output
/// row) and its input quantized per call (uint8, one scale and zero point for the whole call, as ONNX's
/// <c>DynamicQuantizeLinear</c> defines them), accumulating in int32 and writing float32 with the bias added.
/// LayerNorm, softmax, GELU, the patch embedding and the head stay float32. The products run on oneDNN's int8 inner
/// product, exported by libtorch's CPU library, which picks its kernels by instruction set (AVX512-VNNI, AVX-VNNI, AMX).
/// </summary>
/// <remarks>
/// <para>The float32 weights stay in the model as they are (state_dict, training and float32 inference are
/// unchanged); the int8 copies (a quarter of the float32 weights' memory) are made at the first quantized forward and
/// checked before each use like <see cref="PackedGemm"/>'s copies, so weights loaded or changed afterwards are
/// quantized again. A layer whose <c>weight</c> parameter is replaced by another one after
/// <see cref="Quantize{TModule}"/> runs float32 until it is quantized again.</para>
/// <para>It applies to float32 CPU inputs with autograd off (<c>torch.no_grad</c>, <c>torch.inference_mode</c>, or
/// <see cref="Predict"/>); other calls take the float32 path. On CPUs without 8-bit dot products free of intermediate
/// saturation (no VNNI and no AMX) the weights use 7 bits (-63..63) so that the products cannot saturate.
/// <see cref="Status"/> says whether the int8 path is available in this process.</para>
/// <para>Accuracy against float32 on real images and speed against ONNX Runtime's int8 are in docs/benchmarks.md.</para>
/// </remarks>
public static class Int8Inference
{
    private static readonly ConditionalWeakTable<Parameter, object> marked = new();
    private static readonly object Mark = new();

    /// <summary>Whether libtorch's CPU library offers what the int8 path needs in this process.</summary>
    public static bool IsAvailable => CpuInference.Native is not null && CpuInference.OneDnn is not null;

    /// <summary>Whether quantized layers run in int8 in this process, and why not if not, in one sentence.</summary>
    public static string Status
    {
        get
        {
            if (CpuInference.Native is null) return $"unavailable (quantized layers run float32): {NativeGemm.FailureReason}";
            if (CpuInference.OneDnn is null) return $"unavailable (quantized layers run float32): {NativeOneDnn.FailureReason}";
            var cpu = CpuInference.Capabilities;
            string kernel = CpuInference.ActiveInt8Kernel == Int8Kernel.Fbgemm ? "fbgemm's int8 linear (libtorch_cpu)" : "oneDNN int8 inner product (libtorch_cpu)";
            return $"{kernel} on {cpu}; weights int8 per output channel in -{Int8PackedWeight.LevelsFor(cpu)}..{Int8PackedWeight.LevelsFor(cpu)}, inputs uint8 per call";
        }
    }

    /// <summary>
    /// Marks every <see cref="PackableLinear"/> in <paramref name="model"/> for int8 inference (see the type's remarks) and
    /// returns the same model. Nothing is copied until the first quantized forward.
    /// </summary>
    public static TModule Quantize<TModule>(TModule model) where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var layer in Layers(model)) marked.AddOrUpdate(layer.weight, Mark);
        return model;
    }

    /// <summary>Returns <paramref name="model"/>'s layers to float32 inference; their int8 copies are freed at their next forward.</summary>
    public static TModule Dequantize<TModule>(TModule model) where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var layer in Layers(model)) marked.Remove(layer.weight);
        return model;
    }

    /// <summary>Whether <paramref name="layer"/> is marked for int8 inference.</summary>
    public static bool IsQuantized(PackableLinear layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return IsMarked(layer.weight);
    }

    /// <summary>The names (as <c>named_modules</c> gives them) of <paramref name="model"/>'s layers marked for int8 inference.</summary>
    public static IReadOnlyList<string> QuantizedLayers(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.named_modules().Where(m => m.module is PackableLinear layer && IsMarked(layer.weight)).Select(m => m.name).ToList();
    }

    /// <summary>
    /// Runs <paramref name="model"/> under inference mode and returns float32 output; a model marked with
    /// <see cref="Quantize{TModule}"/> multiplies in int8. The model should be in eval mode.
    /// </summary>
    public static Tensor Predict(nn.Module<Tensor, Tensor> model, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        using var inference = torch.inference_mode();
        using var scope = NewDisposeScope();
        var input = images.dtype == ScalarType.Float32 ? images : images.to(ScalarType.Float32);
        return model.forward(input).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <paramref name="weight"/> [out, in] quantized as the int8 path quantizes it on CPUs with VNNI or AMX and as the
    /// ONNX export writes it: symmetric int8 per output channel in -127..127, <c>scale[n] = max |W[n, :]| / 127</c> (1
    /// for an all-zero row), rounding half to even. Returns the int8 weight [out, in] and the float32 scales [out].
    /// </summary>
    public static (Tensor Weight, Tensor Scales) QuantizeWeight(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 2) throw new ArgumentException($"A Linear weight is [out, in]; this one is {weight.dim()}-dimensional.", nameof(weight));
        using var noGrad = torch.no_grad();
        return Int8PackedWeight.QuantizeWeight(weight.to(ScalarType.Float32), 127);
    }

    internal static bool IsMarked(Parameter weight) => marked.TryGetValue(weight, out _);

    private static IEnumerable<PackableLinear> Layers(nn.Module model) =>
        model.named_modules().Select(m => m.module).OfType<PackableLinear>().Concat(model is PackableLinear self ? [self] : []).Distinct();
}
