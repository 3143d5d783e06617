using static TorchSharp.torch;

namespace ShapedVit;

/// <summary>What a forward pass with intermediates returns. Owns its tensors: dispose it (or move them out) when done.</summary>
public sealed class VitIntermediates : IDisposable
{
    /// <summary>Takes ownership of the given tensors.</summary>
    /// <param name="logits">[B, NumClasses], or null for a headless model.</param>
    /// <param name="features">All tokens after the final norm: [B, SequenceLength, Embed].</param>
    /// <param name="hiddenStates">The tokens after each block.</param>
    /// <param name="attentions">Each block's attention probabilities; empty unless asked for.</param>
    public VitIntermediates(Tensor? logits, Tensor features, IReadOnlyList<Tensor> hiddenStates, IReadOnlyList<Tensor> attentions)
    {
        Logits = logits; Features = features; HiddenStates = hiddenStates; Attentions = attentions;
    }

    /// <summary>[B, NumClasses], or null for a headless model.</summary>
    public Tensor? Logits { get; }
    /// <summary>All tokens after the final norm: [B, SequenceLength, Embed].</summary>
    public Tensor Features { get; }
    /// <summary>The tokens after each block: Depth tensors of [B, SequenceLength, Embed].</summary>
    public IReadOnlyList<Tensor> HiddenStates { get; }
    /// <summary>Each block's attention probabilities [B, Heads, SequenceLength, SequenceLength]; empty unless asked for.</summary>
    public IReadOnlyList<Tensor> Attentions { get; }

    /// <summary>Disposes the logits, features, hidden states and attentions.</summary>
    public void Dispose()
    {
        Logits?.Dispose();
        Features.Dispose();
        foreach (var t in HiddenStates) t.Dispose();
        foreach (var t in Attentions) t.Dispose();
    }
}
