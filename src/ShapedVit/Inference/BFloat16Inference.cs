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
    /// float32 exactly as they were (libtorch's mixed-type LayerNorm reads bfloat16 input with float32 weights). Returns the
    /// same model.
    /// </summary>
    public static TModule ToBFloat16<TModule>(TModule model) where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        // Module.to casts every tensor, so casting back would leave the LayerNorm parameters rounded to bfloat16: keep
        // float32 copies and put them back bit for bit after the cast.
        var norms = model.named_modules().Select(m => m.module).OfType<LayerNorm>().ToList();
        var kept = norms.Select(norm => norm.parameters().Select(p =>
        {
            using var detached = p.detach(); // held until clone returns (see PackableLinear's constructor)
            return detached.clone();
        }).ToList()).ToList();
        try
        {
            model.to(ScalarType.BFloat16);
            using var noGrad = torch.no_grad();
            for (int i = 0; i < norms.Count; i++)
            {
                norms[i].to(ScalarType.Float32);
                var parameters = norms[i].parameters().ToList();
                for (int j = 0; j < parameters.Count; j++) parameters[j].copy_(kept[i][j]);
            }
        }
        finally
        {
            foreach (var copies in kept) foreach (var copy in copies) copy.Dispose();
        }
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
