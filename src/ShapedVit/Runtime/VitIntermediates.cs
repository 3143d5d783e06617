using static TorchSharp.torch;

namespace ShapedVit;

/// <summary>
/// What a forward pass with intermediates returns. Owns its tensors: dispose it (or move them out) when done. Every token
/// sequence holds <see cref="PrefixTokens"/> prefix tokens (class, distillation, registers) before the
/// <see cref="GridHeight"/> x <see cref="GridWidth"/> patch tokens of this forward's input, which for a model declared
/// with a dynamic image size need not be the declared grid; <see cref="PatchTokens"/> and <see cref="PrefixTokenStates"/>
/// split them as timm's <c>forward_intermediates</c> does.
/// </summary>
public sealed class VitIntermediates : IDisposable
{
    /// <summary>Takes ownership of the given tensors.</summary>
    /// <param name="logits">[B, NumClasses], or null for a headless model.</param>
    /// <param name="features">All tokens after the final norm: [B, L, Embed].</param>
    /// <param name="hiddenStates">The tokens after each block.</param>
    /// <param name="attentions">Each block's attention probabilities; empty unless asked for.</param>
    /// <param name="prefixTokens">Tokens before the patches in every sequence.</param>
    /// <param name="gridHeight">Patch rows of this forward's input.</param>
    /// <param name="gridWidth">Patch columns of this forward's input.</param>
    public VitIntermediates(Tensor? logits, Tensor features, IReadOnlyList<Tensor> hiddenStates, IReadOnlyList<Tensor> attentions,
                            long prefixTokens, long gridHeight, long gridWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gridHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gridWidth);
        Logits = logits; Features = features; HiddenStates = hiddenStates; Attentions = attentions;
        PrefixTokens = prefixTokens; GridHeight = gridHeight; GridWidth = gridWidth;
    }

    /// <summary>[B, NumClasses], or null for a headless model.</summary>
    public Tensor? Logits { get; }
    /// <summary>All tokens after the final norm (as timm's <c>forward_features</c>; with the norm after pooling, after the last block): [B, L, Embed].</summary>
    public Tensor Features { get; }
    /// <summary>The tokens after each block: Depth tensors of [B, L, Embed], L = PrefixTokens + GridHeight x GridWidth.</summary>
    public IReadOnlyList<Tensor> HiddenStates { get; }
    /// <summary>Each block's attention probabilities [B, Heads, L, L]; empty unless asked for.</summary>
    public IReadOnlyList<Tensor> Attentions { get; }
    /// <summary>Tokens before the patches: the class token, the distillation token and the register tokens, as the model has them.</summary>
    public long PrefixTokens { get; }
    /// <summary>
    /// An attention-pooled model's pool attention (its latent query over the patch tokens) [B, Heads, GridHeight x GridWidth],
    /// when attentions were asked for; otherwise null. Owned like the other tensors.
    /// </summary>
    public Tensor? PoolAttention { get; init; }
    /// <summary>Patch rows of this forward's input (the declared grid's unless the model takes a dynamic image size).</summary>
    public long GridHeight { get; }
    /// <summary>Patch columns of this forward's input.</summary>
    public long GridWidth { get; }

    /// <summary>
    /// Block <paramref name="block"/>'s patch tokens without the prefix tokens, as timm's <c>forward_intermediates</c>
    /// returns them: [B, Embed, GridHeight, GridWidth] (NCHW, timm's default), or [B, GridHeight x GridWidth, Embed] with
    /// <paramref name="nchw"/> false. A new tensor the caller owns.
    /// </summary>
    public Tensor PatchTokens(int block, bool nchw = true)
    {
        var state = HiddenStates[block];
        long batch = state.shape[0], dim = state.shape[2];
        using var patches = state.narrow(1, PrefixTokens, GridHeight * GridWidth);
        return nchw ? patches.reshape(batch, GridHeight, GridWidth, dim).permute(0, 3, 1, 2).contiguous() : patches.clone();
    }

    /// <summary>Block <paramref name="block"/>'s prefix tokens [B, PrefixTokens, Embed] (timm's <c>return_prefix_tokens</c>). A new tensor the caller owns.</summary>
    public Tensor PrefixTokenStates(int block)
    {
        using var prefix = HiddenStates[block].narrow(1, 0, PrefixTokens);
        return prefix.clone();
    }

    /// <summary>Disposes the logits, features, hidden states, attentions and the pool attention.</summary>
    public void Dispose()
    {
        Logits?.Dispose();
        PoolAttention?.Dispose();
        Features.Dispose();
        foreach (var t in HiddenStates) t.Dispose();
        foreach (var t in Attentions) t.Dispose();
    }
}
