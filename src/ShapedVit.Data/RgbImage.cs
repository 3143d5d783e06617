namespace ShapedVit.Data;

/// <summary>8-bit RGB pixels, row-major, interleaved (R, G, B per pixel): the form PIL's <c>convert("RGB")</c> gives.</summary>
public sealed class RgbImage
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied) as a <paramref name="width"/> x <paramref name="height"/> RGB image.</summary>
    /// <param name="width">Width in pixels; positive.</param>
    /// <param name="height">Height in pixels; positive.</param>
    /// <param name="pixels">3 x width x height bytes, row-major, R, G, B per pixel.</param>
    /// <exception cref="ArgumentException">The size is empty or <paramref name="pixels"/> has the wrong length.</exception>
    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"Image size {width}x{height} is empty.");
        if (pixels.LongLength != 3L * width * height) throw new ArgumentException($"A {width}x{height} RGB image needs {3L * width * height} bytes, got {pixels.LongLength}.");
        Width = width; Height = height; Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }
    /// <summary>The pixels: 3 x Width x Height bytes, row-major, R, G, B per pixel.</summary>
    public byte[] Pixels { get; }
}
