using ShapedVit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Vision;

/// <summary>
/// Attention rollout (Abnar and Zuidema, 2020): average each block's attention over heads, add the residual connection as
/// 0.5 A + 0.5 I, renormalise the rows, and multiply through the blocks; the class token's row over the patch tokens says
/// how much each patch flowed into the class token. Every prefix token (class, distillation, registers) is left out of the
/// map's columns. A mean-pooled model's head reads the mean of the patch tokens, so its map is the mean of the patch
/// tokens' rows; <see cref="ComputeFor"/> picks the rows the model's head reads.
/// </summary>
public static class AttentionRollout
{
    /// <summary>
    /// From per-block attentions [B, H, L, L] (first block first) to [B, gridHeight, gridWidth] maps of the token at
    /// <paramref name="queryToken"/> (0: the class token) over the patch tokens, each scaled so its maximum is 1.
    /// </summary>
    public static Tensor Compute(IReadOnlyList<Tensor> attentions, long prefixTokens, long gridHeight, long gridWidth, long queryToken = 0) =>
        Rollout(attentions, prefixTokens, gridHeight, gridWidth, rollout => rollout[.., queryToken, TensorIndex.Slice(prefixTokens)]);

    /// <summary>
    /// The map of what the model's head reads: the class token's row for <see cref="Pooling.ClassToken"/>, the mean of the
    /// patch tokens' rows for <see cref="Pooling.Mean"/> (timm's <c>global_pool='avg'</c> averages the patch tokens, not the
    /// prefix tokens). [B, gridHeight, gridWidth], each scaled so its maximum is 1. A distilled model and an attention-pooled
    /// one need more than the pooling: use <see cref="ComputeFor"/>.
    /// </summary>
    public static Tensor ComputeForPooling(IReadOnlyList<Tensor> attentions, long prefixTokens, long gridHeight, long gridWidth, Pooling pooling) =>
        pooling switch
        {
            Pooling.ClassToken => Compute(attentions, prefixTokens, gridHeight, gridWidth, queryToken: 0),
            Pooling.Mean => Rollout(attentions, prefixTokens, gridHeight, gridWidth, rollout => PatchRows(rollout, prefixTokens).mean([1])),
            Pooling.AttentionPool => throw new ArgumentException(
                "An attention-pooled model's head reads its pool's attention over the patch tokens: use AttentionRollout.ComputeFor(intermediates, spec).", nameof(pooling)),
            _ => throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "Use ClassToken or Mean."),
        };

    /// <summary>
    /// The map of what the model's head reads, from a forward with intermediates run with <c>attention: true</c>, whose
    /// prefix tokens (class, distillation, registers) and patch grid (the input's, for a model of dynamic size) it takes:
    /// the class token's row for class-token pooling; the mean of the class and distillation tokens' rows for a distilled
    /// model (DeiT averages its two heads); the mean of the patch tokens' rows for mean pooling; and for attention pooling
    /// (SigLIP's MAP head) the patch tokens' rows weighted by the pool's attention (mean over its heads).
    /// [B, GridHeight, GridWidth], each scaled so its maximum is 1.
    /// </summary>
    /// <param name="intermediates">The output of <c>ForwardWithIntermediates(images, attention: true)</c>.</param>
    /// <param name="spec">The model's declaration (<c>model.Spec</c>).</param>
    public static Tensor ComputeFor(VitIntermediates intermediates, VitSpec spec)
    {
        ArgumentNullException.ThrowIfNull(intermediates);
        ArgumentNullException.ThrowIfNull(spec);
        long prefix = intermediates.PrefixTokens, height = intermediates.GridHeight, width = intermediates.GridWidth;
        if (spec.DistillationToken)
        {
            if (prefix < 2) throw new ArgumentException($"A distilled model has a class and a distillation token, but the intermediates have {prefix} prefix token(s).", nameof(intermediates));
            return Rollout(intermediates.Attentions, prefix, height, width, rollout => rollout[.., TensorIndex.Slice(0, 2), TensorIndex.Slice(prefix)].mean([1]));
        }
        if (spec.Pooling != Pooling.AttentionPool) return ComputeForPooling(intermediates.Attentions, prefix, height, width, spec.Pooling);
        var pool = intermediates.PoolAttention
                   ?? throw new ArgumentException("No attention-pool weights: run the model with attention: true.", nameof(intermediates));
        return Rollout(intermediates.Attentions, prefix, height, width, rollout =>
            pool.mean([1]).unsqueeze(1).to(rollout.dtype).matmul(PatchRows(rollout, prefix)).squeeze(1)); // [B, 1, N] x [B, N, N]
    }

    /// <summary>The patch tokens' rows over the patch tokens: [B, N, N].</summary>
    private static Tensor PatchRows(Tensor rollout, long prefixTokens) => rollout[.., TensorIndex.Slice(prefixTokens), TensorIndex.Slice(prefixTokens)];

    private static Tensor Rollout(IReadOnlyList<Tensor> attentions, long prefixTokens, long gridHeight, long gridWidth, Func<Tensor, Tensor> read)
    {
        if (attentions.Count == 0) throw new ArgumentException("No attention maps: run the model with attention: true.", nameof(attentions));
        long length = attentions[0].shape[^1];
        if (length != prefixTokens + gridHeight * gridWidth)
            throw new ArgumentException($"Attention over {length} tokens does not match {prefixTokens} prefix + {gridHeight}x{gridWidth} patch tokens.");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var identity = torch.eye(length, dtype: attentions[0].dtype, device: attentions[0].device);
        using Scalar half = 0.5, floor = 1e-12; // held until the calls return (see Scalars)
        Tensor? rollout = null;
        foreach (var attention in attentions)
        {
            var mixed = attention.mean([1]).Plus(identity).mul_(half); // [B, L, L]: (attention + identity) / 2
            mixed = mixed / mixed.sum(-1, keepdim: true);
            rollout = rollout is null ? mixed : mixed.matmul(rollout);
        }
        var map = read(rollout!).reshape(-1, gridHeight, gridWidth);
        var peak = map.amax([1, 2], keepdim: true).clamp_min(floor);
        return (map / peak).MoveToOuterDisposeScope();
    }
}
