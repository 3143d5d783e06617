namespace ShapedVit.Data;

/// <summary>
/// 8-bit pixels, row-major, interleaved (all channels of a pixel together), of any channel count: 3 is RGB as PIL's
/// <c>convert("RGB")</c> gives it, 1 is grey ("L").
/// </summary>
public sealed class PixelImage
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied) as a <paramref name="width"/> x <paramref name="height"/> image of <paramref name="channels"/> channels.</summary>
    /// <param name="width">Width in pixels; positive.</param>
    /// <param name="height">Height in pixels; positive.</param>
    /// <param name="pixels">channels x width x height bytes, row-major, the channels of each pixel together.</param>
    /// <param name="channels">Channels per pixel; positive (3: R, G, B).</param>
    /// <exception cref="ArgumentException">The size is empty or <paramref name="pixels"/> has the wrong length.</exception>
    public PixelImage(int width, int height, byte[] pixels, int channels = 3)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0 || height <= 0) throw new ArgumentException($"Image size {width}x{height} is empty.");
        if (channels <= 0) throw new ArgumentException($"An image needs at least one channel (got {channels}).");
        if (pixels.LongLength != (long)channels * width * height)
            throw new ArgumentException($"A {width}x{height} image of {channels} channel(s) needs {(long)channels * width * height} bytes, got {pixels.LongLength}.");
        Width = width; Height = height; Channels = channels; Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }
    /// <summary>Channels per pixel.</summary>
    public int Channels { get; }
    /// <summary>The pixels: Channels x Width x Height bytes, row-major, the channels of each pixel together.</summary>
    public byte[] Pixels { get; }
}
