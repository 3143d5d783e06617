using SkiaSharp;

namespace ShapedVit.Samples.OnnxRuntimeApp;

/// <summary>8-bit pixels, row-major, <see cref="Channels"/> (1 grey or 3 RGB) interleaved per pixel.</summary>
public sealed record PixelImage(int Width, int Height, int Channels, byte[] Pixels);

/// <summary>
/// Reads image files: PNG, JPEG and WebP (and GIF, BMP) through SkiaSharp with the EXIF orientation applied, as the
/// Classify sample reads them; binary PGM and PPM directly. Sizes are checked from the header before pixels are
/// allocated; every failure is an <see cref="InvalidDataException"/> whose one-line message names the file.
/// </summary>
public static class ImageFile
{
    /// <summary>PIL's decompression-bomb limit, as in Classify: about 89.5 megapixels.</summary>
    public const long DefaultMaxPixels = 89_478_485;

    /// <summary>The largest file read: an encoded image is far smaller than its pixels.</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>The extensions a folder is searched for, lower case.</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".webp", ".pgm", ".ppm"];

    /// <summary>
    /// The images an argument names: a file as given, or a folder's files with an image extension (<see cref="Extensions"/>,
    /// any case; not its subfolders), sorted by name. A folder without images, or a path that is neither, is an error.
    /// </summary>
    public static IReadOnlyList<string> Expand(string argument)
    {
        if (Directory.Exists(argument))
        {
            var files = Directory.EnumerateFiles(argument, "*", new EnumerationOptions { IgnoreInaccessible = true, MatchType = MatchType.Simple })
                .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0)
                throw new InvalidDataException($"{argument}: a folder with no images ({string.Join(", ", Extensions)})");
            return files;
        }
        if (!File.Exists(argument)) throw new InvalidDataException($"{argument}: no such file or folder");
        return [argument];
    }

    /// <summary>Reads and decodes one image file (see the class summary).</summary>
    public static PixelImage Read(string path, long maxPixels = DefaultMaxPixels)
    {
        // Opening a FIFO blocks and a device never ends: only regular files are opened.
        string? kind = FileKind.NotRegular(path);
        if (kind is not null) throw new InvalidDataException($"{path}: {kind}, not an image file");
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            if (stream.Length > MaxFileBytes) throw new InvalidDataException($"{path}: {stream.Length} bytes exceeds the file size limit of {MaxFileBytes}");
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read: {OneLine(e.Message)}", e);
        }
        if (bytes.Length == 0) throw new InvalidDataException($"{path}: empty file");
        if (Netpbm.IsNetpbm(bytes)) return Netpbm.Parse(bytes, path, maxPixels).ToPixelImage();
        return Decode(bytes, path, maxPixels);
    }

    private static PixelImage Decode(byte[] bytes, string path, long maxPixels)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null) throw new InvalidDataException($"{path}: not an image this tool reads (PNG, JPEG, WebP, GIF, BMP, PGM, PPM)");
        long width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0) throw new InvalidDataException($"{path}: the image has no pixels ({width}x{height})");
        if (width * height > maxPixels)
            throw new InvalidDataException($"{path}: {width}x{height} = {width * height} pixels exceeds the limit of {maxPixels} (possible decompression bomb)");
        var info = new SKImageInfo((int)width, (int)height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success))
            throw new InvalidDataException($"{path}: corrupt or truncated image data ({result})");
        return Orient(bitmap.GetPixelSpan(), (int)width, (int)height, (int)codec.EncodedOrigin);
    }

    /// <summary>RGB of RGBA pixels (alpha dropped, as PIL's convert("RGB")), turned upright by the EXIF orientation 1-8.</summary>
    private static PixelImage Orient(ReadOnlySpan<byte> rgba, int w, int h, int orientation)
    {
        bool swapsAxes = orientation is >= 5 and <= 8;
        int outWidth = swapsAxes ? h : w, outHeight = swapsAxes ? w : h;
        var pixels = new byte[3L * w * h];
        for (int y = 0; y < outHeight; y++)
            for (int x = 0; x < outWidth; x++)
            {
                var (sx, sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    8 => (w - 1 - y, x),
                    _ => (x, y),
                };
                long from = 4L * ((long)sy * w + sx), to = 3L * ((long)y * outWidth + x);
                pixels[to] = rgba[(int)from];
                pixels[to + 1] = rgba[(int)from + 1];
                pixels[to + 2] = rgba[(int)from + 2];
            }
        return new PixelImage(outWidth, outHeight, 3, pixels);
    }

    internal static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
