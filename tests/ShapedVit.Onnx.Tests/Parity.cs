using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static ShapedVit.Onnx.Tests.TestSupport;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>Runs a model and its ONNX export on the same images and measures how far ORT's outputs are from the model's.</summary>
public static class Parity
{
    /// <summary>The largest |ORT - model| over the main output (logits or features) and the pooled features, at one batch size.</summary>
    public static (double Output, double Pooled, double Magnitude) MaxDifference(IVisionTransformer vit, InferenceSession session, long batch, long seed, Tensor? images = null)
    {
        var model = (nn.Module<Tensor, Tensor>)vit;
        var spec = vit.Spec;
        using var scope = NewDisposeScope();
        images ??= Images(batch, spec.Channels, spec.ImageHeight, spec.ImageWidth, seed);
        float[] expected, expectedPooled;
        using (torch.no_grad())
        {
            expected = Values(model.call(images));
            expectedPooled = Values(vit.ForwardHead(vit.ForwardFeatures(images), preLogits: true));
        }
        var actual = Ort.Run(session, Values(images), images.shape);
        string main = spec.NumClasses > 0 ? "logits" : "features";
        return (MaxAbsDiff(expected, actual[main]), actual.TryGetValue("pooled", out var pooled) ? MaxAbsDiff(expectedPooled, pooled) : double.NaN,
                expected.Max(MathF.Abs));
    }
}
