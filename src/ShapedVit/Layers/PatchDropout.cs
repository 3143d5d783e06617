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
    public PatchDropout(double rate, long prefixTokens) : base(nameof(PatchDropout))
    {
        if (rate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "Patch dropout rate must be in [0, 1).");
        if (prefixTokens < 0) throw new ArgumentOutOfRangeException(nameof(prefixTokens), prefixTokens, "Prefix tokens must not be negative.");
        Rate = rate;
        PrefixTokens = prefixTokens;
    }

    public double Rate { get; }
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
