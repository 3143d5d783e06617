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

    /// <summary>
    /// [B, C, H, W] images -> [B, SequenceLength, Embed]: the features, as timm's <c>forward_features</c> returns them
    /// (every token after the final norm; with the norm after pooling, after the last block). Pooling them is
    /// <see cref="ForwardHead"/>'s. A model of dynamic image size (<see cref="VitSpec.DynamicImageSize"/>) takes any H and W
    /// made of whole patches and returns the prefix tokens and that input's (H/ph)(W/pw) patch tokens.
    /// </summary>
    Tensor ForwardFeatures(Tensor images);

    /// <summary>
    /// [B, SequenceLength, Embed] tokens -> [B, NumClasses] logits (or the pooled vector [B, Embed] when <paramref name="preLogits"/>),
    /// as timm's <c>forward_head</c>: the class token, the mean of the patch tokens (every prefix token left out) or the
    /// attention pool, the norm after pooling where declared, then the head; a distilled model averages its two heads.
    /// </summary>
    Tensor ForwardHead(Tensor tokens, bool preLogits = false);

    /// <summary>Logits, features, every block's hidden state and, when asked, every block's attention probabilities.</summary>
    VitIntermediates ForwardWithIntermediates(Tensor images, bool attention = false);

    /// <summary>
    /// Builds another model like this one: the same type and class count, new weights from <paramref name="seed"/>
    /// (what <see cref="IVisionTransformer{TSelf}.Create"/> gives). For code that holds a model, not its type.
    /// </summary>
    /// <param name="seed">The seed of the new model's initialisation; null draws from torch's global generator.</param>
    nn.Module<Tensor, Tensor> CreateLike(long? seed = null);
}

/// <summary>
/// A generated Vision Transformer type: its declaration and proven geometry are static, compile-time facts, so generic
/// code (a catalogue of variants, a checkpoint's architecture key) reads them from the type without building a model,
/// and builds one through <see cref="Create"/>. Every generated model implements it; the instance members of
/// <see cref="IVisionTransformer"/> return the same values.
/// </summary>
public interface IVisionTransformer<TSelf> : IVisionTransformer where TSelf : IVisionTransformer<TSelf>
{
    /// <summary>The declaration, presets applied.</summary>
    static abstract new VitSpec Spec { get; }

    /// <summary>The proven shapes and sizes.</summary>
    static abstract new VitGeometry Geometry { get; }

    /// <summary>
    /// Builds the model with timm's initialisation, as its constructor does. <paramref name="numClasses"/> is the head's
    /// width where the declaration makes it a run-time argument (<c>RuntimeNumClasses = true</c>, then required; 0 builds
    /// the model headless, as timm's <c>num_classes=0</c>); a declared class count needs no argument, and a different one is refused.
    /// </summary>
    /// <param name="numClasses">Classes of the head: required with <c>RuntimeNumClasses = true</c>, else null or the declared count.</param>
    /// <param name="seed">The seed of the initialisation; the same seed gives the same weights. Null draws from torch's global generator.</param>
    /// <exception cref="System.ArgumentException">The class count is missing, negative, or differs from the declared one.</exception>
    static abstract TSelf Create(int? numClasses = null, long? seed = null);
}
