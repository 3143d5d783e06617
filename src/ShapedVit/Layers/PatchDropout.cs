using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// Patch dropout (Liu et al., 2023; timm's <c>PatchDropout</c>): in training, each image keeps a random subset of its patch
/// tokens, max(1, floor(N x (1 - rate))) of N, in random order, and all prefix tokens (class, registers) in front. Fewer
/// tokens make every block cheaper (attention quadratically), and the model learns from partial views. Identity in evaluation.
/// </summary>
public sealed class PatchDropout : nn.Module<Tensor, Tensor>
{
    /// <summary>Patch dropout at <paramref name="rate"/>, always keeping the first <paramref name="prefixTokens"/> tokens.</summary>
    /// <param name="rate">Fraction of patch tokens dropped, in [0, 1).</param>
    /// <param name="prefixTokens">Class and register tokens at the front of the sequence, never dropped.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1) or <paramref name="prefixTokens"/> is negative.</exception>
    public PatchDropout(double rate, long prefixTokens) : base(nameof(PatchDropout))
    {
        if (rate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "Patch dropout rate must be in [0, 1).");
        if (prefixTokens < 0) throw new ArgumentOutOfRangeException(nameof(prefixTokens), prefixTokens, "Prefix tokens must not be negative.");
        Rate = rate;
        PrefixTokens = prefixTokens;
    }

    /// <summary>Fraction of patch tokens dropped in training.</summary>
    public double Rate { get; }
    /// <summary>Tokens at the front of the sequence (class, registers) that are always kept.</summary>
    public long PrefixTokens { get; }

    /// <summary>[B, prefix + N, D] -> [B, prefix + kept, D] in training; unchanged in evaluation.</summary>
    public override Tensor forward(Tensor tokens)
    {
        if (!training || Rate == 0) return tokens.alias();
        using var scope = NewDisposeScope();
        long batch = tokens.shape[0], patches = tokens.shape[1] - PrefixTokens, dim = tokens.shape[2];
        long kept = VitGeometry.PatchTokensKept(patches, Rate);
        // A random permutation per image (argsort of noise, as timm), cut to the tokens kept.
        var keep = torch.randn(batch, patches, device: tokens.device).argsort(1).narrow(1, 0, kept);
        var patchTokens = tokens.narrow(1, PrefixTokens, patches).gather(1, keep.unsqueeze(-1).expand(-1, -1, dim));
        var result = PrefixTokens > 0 ? torch.cat([tokens.narrow(1, 0, PrefixTokens), patchTokens], 1) : patchTokens;
        return result.MoveToOuterDisposeScope();
    }
}
