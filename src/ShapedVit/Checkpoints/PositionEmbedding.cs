using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Checkpoints;

/// <summary>Resampling of learned absolute position embeddings to another patch grid (timm's <c>resample_abs_pos_embed</c>).</summary>
public static class PositionEmbedding
{
    /// <summary>
    /// [1, prefix + oldH*oldW, D] -> [1, prefix + newH*newW, D]: the prefix (class and register) tokens are kept as they are,
    /// the grid is resized bicubically (align_corners false, no antialiasing) in float32 and returned in the input's dtype.
    /// The old grid is taken as square when not given.
    /// </summary>
    public static Tensor Resample(Tensor posEmbed, long newHeight, long newWidth, long prefixTokens, long? oldHeight = null, long? oldWidth = null)
    {
        ArgumentNullException.ThrowIfNull(posEmbed);
        if (posEmbed.dim() != 3 || posEmbed.shape[0] != 1)
            throw new ArgumentException($"A position embedding has shape [1, tokens, dim], but this one has {TensorShapes.Format(posEmbed.shape)}.", nameof(posEmbed));
        if (newHeight <= 0 || newWidth <= 0) throw new ArgumentOutOfRangeException(nameof(newHeight), "The new grid must be at least 1 x 1.");
        long gridTokens = posEmbed.shape[1] - prefixTokens;
        if (prefixTokens < 0 || gridTokens <= 0)
            throw new ArgumentException($"A position embedding of {posEmbed.shape[1]} tokens has no grid after {prefixTokens} prefix tokens.", nameof(prefixTokens));
        var (height, width) = oldHeight is long h && oldWidth is long w ? (h, w) : SquareGrid(gridTokens)
            ?? throw new ArgumentException($"{gridTokens} grid tokens (after {prefixTokens} prefix tokens) do not form a square grid; give the old grid size.", nameof(posEmbed));
        if (height * width != gridTokens)
            throw new ArgumentException($"An old grid of {height} x {width} does not hold {gridTokens} tokens.", nameof(oldHeight));
        if (height == newHeight && width == newWidth) return posEmbed.clone();

        using var scope = NewDisposeScope();
        long dim = posEmbed.shape[2];
        var prefix = posEmbed.narrow(1, 0, prefixTokens);
        var grid = posEmbed.narrow(1, prefixTokens, gridTokens).reshape(1, height, width, dim).permute(0, 3, 1, 2).to(ScalarType.Float32);
        var resized = nn.functional.interpolate(grid, size: [newHeight, newWidth], mode: InterpolationMode.Bicubic, align_corners: false, antialias: false);
        var tokens = resized.permute(0, 2, 3, 1).reshape(1, newHeight * newWidth, dim).to(posEmbed.dtype);
        return torch.cat(new[] { prefix, tokens }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>(side, side) when <paramref name="tokens"/> is a perfect square, else null.</summary>
    internal static (long Height, long Width)? SquareGrid(long tokens)
    {
        if (tokens <= 0) return null;
        long side = (long)Math.Round(Math.Sqrt(tokens));
        for (long s = Math.Max(1, side - 1); s <= side + 1; s++)
            if (s * s == tokens) return (s, s);
        return null;
    }
}
