using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// The run-time resampling of a learned position embedding to an input's patch grid, for models declared with
/// <c>[Image(..., DynamicSize = true)]</c>: timm's <c>resample_abs_pos_embed</c> as its <c>_pos_embed</c> calls it
/// (bicubic, antialiased, align_corners false, in float32), the prefix slots kept as they are.
/// </summary>
/// <remarks>Infrastructure for generated code, hidden from IntelliSense: generated models call it; user code is not meant to.</remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public static class DynamicPositionEmbedding
{
    /// <summary>A planted fault for the tests that show the parity oracle catches one: plain bicubic instead of antialiased.</summary>
    [ThreadStatic] internal static bool PlainBicubicForTests;

    /// <summary>
    /// [1, prefix + oldH*oldW, D] -> [1, prefix + newH*newW, D], as timm's <c>resample_abs_pos_embed</c>: the first
    /// <paramref name="prefixTokens"/> slots unchanged, the grid resized with antialiased bicubic interpolation in float32
    /// and returned in the embedding's dtype. The result may be <paramref name="posEmbed"/> itself (an alias): where the
    /// token count is unchanged and the new grid is square, timm returns the embedding as it is, and so does this.
    /// </summary>
    /// <param name="posEmbed">The stored embedding [1, prefix + oldH*oldW, D].</param>
    /// <param name="oldHeight">Grid rows the embedding was learned at (the declared size's).</param>
    /// <param name="oldWidth">Grid columns the embedding was learned at.</param>
    /// <param name="newHeight">Grid rows of the input.</param>
    /// <param name="newWidth">Grid columns of the input.</param>
    /// <param name="prefixTokens">Slots before the grid (0 where the embedding has none, timm's <c>no_embed_class</c>).</param>
    public static Tensor Resample(Tensor posEmbed, long oldHeight, long oldWidth, long newHeight, long newWidth, long prefixTokens)
    {
        // timm's early return compares the token count and squareness only, not the grid: kept as is for parity.
        if (newHeight * newWidth + prefixTokens == posEmbed.shape[1] && newHeight == newWidth) return posEmbed.alias();
        using var scope = NewDisposeScope();
        long dim = posEmbed.shape[2];
        var grid = posEmbed.narrow(1, prefixTokens, oldHeight * oldWidth).to(ScalarType.Float32)
                            .reshape(1, oldHeight, oldWidth, dim).permute(0, 3, 1, 2);
        var resized = nn.functional.interpolate(grid, size: [newHeight, newWidth], mode: InterpolationMode.Bicubic,
                                                align_corners: false, antialias: !PlainBicubicForTests);
        var tokens = resized.permute(0, 2, 3, 1).reshape(1, newHeight * newWidth, dim).to(posEmbed.dtype);
        var result = prefixTokens > 0 ? torch.cat(new[] { posEmbed.narrow(1, 0, prefixTokens), tokens }, 1) : tokens;
        return result.MoveToOuterDisposeScope();
    }
}
