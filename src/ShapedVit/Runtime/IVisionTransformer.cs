using static TorchSharp.torch;

namespace ShapedVit;

/// <summary>
/// What every generated Vision Transformer offers beyond <c>forward</c>, so tools (checkpoint loading, training,
/// classification) can work with any declared model.
/// </summary>
public interface IVisionTransformer
{
    /// <summary>The declaration, presets applied.</summary>
    VitSpec Spec { get; }

    /// <summary>The proven shapes and sizes.</summary>
    VitGeometry Geometry { get; }

    /// <summary>[B, C, H, W] images -> [B, SequenceLength, Embed]: all tokens after the final norm.</summary>
    Tensor ForwardFeatures(Tensor images);

    /// <summary>[B, SequenceLength, Embed] tokens -> [B, NumClasses] logits (or the pooled features [B, Embed] when <paramref name="preLogits"/>).</summary>
    Tensor ForwardHead(Tensor tokens, bool preLogits = false);

    /// <summary>Logits, features, every block's hidden state and, when asked, every block's attention probabilities.</summary>
    VitIntermediates ForwardWithIntermediates(Tensor images, bool attention = false);
}

/// <summary>
/// A generated Vision Transformer type: its declaration and proven geometry are static, compile-time facts, so generic
/// code (a catalogue of variants, a checkpoint's architecture key) reads them from the type without building a model.
/// Every generated model implements it; the instance members of <see cref="IVisionTransformer"/> return the same values.
/// </summary>
public interface IVisionTransformer<TSelf> : IVisionTransformer where TSelf : IVisionTransformer<TSelf>
{
    /// <summary>The declaration, presets applied.</summary>
    static abstract new VitSpec Spec { get; }

    /// <summary>The proven shapes and sizes.</summary>
    static abstract new VitGeometry Geometry { get; }
}
