using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Inference;

/// <summary>
/// bfloat16 inference for any ShapedVit model: matrix weights and activations in bfloat16, LayerNorm parameters kept in
/// float32. libtorch's CPU kernels accumulate in float32 (matmul, LayerNorm statistics, softmax, attention), so only
/// storage is rounded to bfloat16's 8-bit mantissa.
/// </summary>
public static class BFloat16Inference
{
    /// <summary>
    /// Casts <paramref name="model"/>'s parameters and buffers to bfloat16 in place, except those of its LayerNorms, which stay
    /// float32 (libtorch's mixed-type LayerNorm reads bfloat16 input with float32 weights). Returns the same model.
    /// </summary>
    public static TModule ToBFloat16<TModule>(TModule model) where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        model.to(ScalarType.BFloat16);
        foreach (var (_, module) in model.named_modules())
            if (module is LayerNorm norm) norm.to(ScalarType.Float32);
        return model;
    }

    /// <summary>
    /// Runs a bfloat16 model (see <see cref="ToBFloat16"/>) under inference mode: images of any floating dtype in, float32
    /// output. The model should be in eval mode.
    /// </summary>
    public static Tensor Predict(nn.Module<Tensor, Tensor> model, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        using var inference = torch.inference_mode();
        using var scope = NewDisposeScope();
        var input = images.dtype == ScalarType.BFloat16 ? images : images.to(ScalarType.BFloat16);
        return model.forward(input).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
