using ShapedVit.Data;
using SkiaSharp;

namespace ShapedVit.Vision;

/// <summary>An image that cannot be used (missing, empty, not an image, corrupt, too large), with a one-line message naming it.</summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>An exception with a one-line <paramref name="message"/> naming the image, and the decoder's error as <paramref name="inner"/> if any.</summary>
    public ImageDecodeException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// Decodes JPEG, PNG, WebP (and the other formats Skia knows: GIF, BMP, ICO...) to RGB, refusing decompression bombs before
/// decoding. The EXIF orientation is applied by default (as Hugging Face's <c>load_image</c> does with
/// <c>ImageOps.exif_transpose</c>), so a phone photo stored sideways is classified upright; timm and torchvision read
/// images with plain <c>PIL.Image.open</c>, which ignores it: pass <c>applyOrientation: false</c> to match them.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Default pixel limit: PIL's (about 89.5 megapixels, 1024^3 / 4 / 3).</summary>
    public const long DefaultMaxPixels = 89_478_485;

    /// <summary>Default limit on each side: 65,535 pixels, the largest JPEG (and PIL's default for WebP is lower still).</summary>
    public const int DefaultMaxDimension = 65_535;

    /// <summary>
    /// Default limit on the file's size: 1 GiB. An encoded image is far smaller than its pixels; the limit stops a read
    /// from growing without bound where the file system reports a wrong size.
    /// </summary>
    public const long DefaultMaxFileBytes = 1L << 30;

    /// <summary>
    /// The pixels this process decodes at once, over all threads and decoders (default: <see cref="DefaultMaxPixels"/>,
    /// about 630 MB of decode buffers). A decode that would go over waits until others finish; one image larger than the
    /// budget (but within its own pixel limit) is decoded when it is the only one. Holding about 7 bytes a pixel while
    /// decoding (the RGBA buffer and the RGB result), parallel decodes of huge images then peak at about 7 x this many
    /// bytes, not 7 x this many per thread.
    /// </summary>
    public static long ProcessPixelBudget
    {
        get => DecodeBudget.Capacity;
        set => DecodeBudget.Capacity = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The decode budget must be positive.");
    }

    /// <summary>
    /// Reads and decodes an image file. Everything that can go wrong is an <see cref="ImageDecodeException"/> with one line
    /// naming <paramref name="path"/>: missing, a directory or device or pipe (refused before anything is read), unreadable,
    /// empty, larger than <paramref name="maxFileBytes"/>, not an image, corrupt, wider or taller than
    /// <paramref name="maxDimension"/>, or more than <paramref name="maxPixels"/> pixels (checked from the header, before decoding).
    /// </summary>
    public static PixelImage Decode(string path, long maxPixels = DefaultMaxPixels, bool applyOrientation = true, int maxDimension = DefaultMaxDimension, long maxFileBytes = DefaultMaxFileBytes) =>
        DecodeThen(path, image => image, maxPixels, applyOrientation, maxDimension, maxFileBytes);

    /// <summary>
    /// <see cref="Decode(string, long, bool, int, long)"/>, then <paramref name="use"/> of the image while its pixels still
    /// count against <see cref="ProcessPixelBudget"/> (for a transform that makes a small result from a large image).
    /// </summary>
    internal static T DecodeThen<T>(string path, Func<PixelImage, T> use, long maxPixels = DefaultMaxPixels, bool applyOrientation = true,
                                    int maxDimension = DefaultMaxDimension, long maxFileBytes = DefaultMaxFileBytes)
    {
        byte[] bytes = ReadFile(path, maxFileBytes);
        var (image, lease) = DecodeHeld(bytes, path, maxPixels, applyOrientation, maxDimension);
        using (lease) return use(image);
    }

    private static byte[] ReadFile(string path, long maxFileBytes)
    {
        string? kind = FileKinds.NotRegular(path);
        if (kind is not null) throw new ImageDecodeException($"{path}: {kind}, not an image file.");
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            long length = stream.Length;
            if (length > maxFileBytes)
                throw new ImageDecodeException($"{path}: {length} bytes exceeds the file size limit of {maxFileBytes}.");
            // Read what is there, never more than the limit (a file that grows while being read is cut off and reported).
            using var memory = new MemoryStream((int)Math.Min(length, maxFileBytes));
            var buffer = new byte[81920];
            int read;
            while ((read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, maxFileBytes + 1 - memory.Length))) > 0)
            {
                memory.Write(buffer, 0, read);
                if (memory.Length > maxFileBytes)
                    throw new ImageDecodeException($"{path}: more than {maxFileBytes} bytes, the file size limit.");
            }
            bytes = memory.ToArray();
        }
        catch (FileNotFoundException e) { throw new ImageDecodeException($"{path}: no such file.", e); }
        catch (DirectoryNotFoundException e) { throw new ImageDecodeException($"{path}: no such file.", e); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ImageDecodeException($"{path}: cannot read: {OneLine(e.Message)}", e); }
        return bytes;
    }

    /// <summary>Decodes encoded image bytes; <paramref name="name"/> appears in error messages (see <see cref="Decode(string, long, bool, int, long)"/> for the limits).</summary>
    public static PixelImage Decode(byte[] bytes, string name, long maxPixels = DefaultMaxPixels, bool applyOrientation = true, int maxDimension = DefaultMaxDimension)
    {
        var (image, lease) = DecodeHeld(bytes, name, maxPixels, applyOrientation, maxDimension);
        lease.Dispose();
        return image;
    }

    /// <summary>Decodes with the image's pixels taken from the process's budget; the caller gives them back by disposing the lease.</summary>
    private static (PixelImage Image, IDisposable Lease) DecodeHeld(byte[] bytes, string name, long maxPixels, bool applyOrientation, int maxDimension)
    {
        if (bytes.Length == 0) throw new ImageDecodeException($"{name}: empty file.");
        using var stream = new SKMemoryStream(bytes);
        using var codec = SKCodec.Create(stream, out var result);
        if (codec is null)
            throw new ImageDecodeException($"{name}: not a supported image (JPEG, PNG, WebP, GIF, BMP): {Describe(result)}.");
        long width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0)
            throw new ImageDecodeException($"{name}: image has no pixels ({width}x{height}).");
        // The header's size is checked before anything is allocated: a few bytes of PNG can claim gigapixels.
        if (width * height > maxPixels)
            throw new ImageDecodeException($"{name}: {width}x{height} = {width * height} pixels exceeds the limit of {maxPixels} (possible decompression bomb; raise --max-pixels to allow it).");
        if (width > maxDimension || height > maxDimension)
            throw new ImageDecodeException($"{name}: {width}x{height} has a side over the limit of {maxDimension} pixels (raise --max-dimension to allow it).");

        var lease = DecodeBudget.Acquire(width * height);
        try
        {
            return (DecodePixels(codec, name, (int)width, (int)height, applyOrientation), lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private static PixelImage DecodePixels(SKCodec codec, string name, int width, int height, bool applyOrientation)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        if (bitmap.GetPixels() == IntPtr.Zero)
            throw new ImageDecodeException($"{name}: {width}x{height}: not enough memory for the pixels.");
        var decoded = codec.GetPixels(info, bitmap.GetPixels());
        if (decoded != SKCodecResult.Success)
            throw new ImageDecodeException($"{name}: corrupt or truncated image data ({Describe(decoded)}).");

        // Alpha is dropped, as PIL's convert("RGB") does; the orientation is applied in the same pass.
        return Remap(bitmap.GetPixelSpan(), bytesPerPixel: 4, width, height, applyOrientation ? (int)codec.EncodedOrigin : 1);
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// The image as it is meant to be displayed, given its EXIF orientation (1-8, the TIFF tag 0x0112): 2 mirrors it
    /// left-right, 3 turns it 180 degrees, 4 mirrors it top-bottom, 5 transposes it, 6 turns it 90 degrees clockwise,
    /// 7 transverses it, 8 turns it 90 degrees anticlockwise (the transforms of PIL's <c>exif_transpose</c>). Any other
    /// value leaves the image as stored.
    /// </summary>
    internal static PixelImage Orient(PixelImage image, int orientation) =>
        orientation is < 2 or > 8 ? image : Remap(image.Pixels, bytesPerPixel: 3, image.Width, image.Height, orientation);

    /// <summary>RGB pixels of a <paramref name="width"/> x <paramref name="height"/> image of 3 or 4 bytes a pixel, turned by an EXIF orientation (see <see cref="Orient"/>).</summary>
    private static PixelImage Remap(ReadOnlySpan<byte> source, int bytesPerPixel, int width, int height, int orientation)
    {
        int w = width, h = height;
        bool swapsAxes = orientation is >= 5 and <= 8;
        int outWidth = swapsAxes ? h : w, outHeight = swapsAxes ? w : h;
        var pixels = new byte[3L * w * h];
        for (int y = 0; y < outHeight; y++)
        {
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
                long from = (long)bytesPerPixel * ((long)sy * w + sx), to = 3 * ((long)y * outWidth + x);
                pixels[to] = source[(int)from];
                pixels[to + 1] = source[(int)(from + 1)];
                pixels[to + 2] = source[(int)(from + 2)];
            }
        }
        return new PixelImage(outWidth, outHeight, pixels);
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "truncated data",
        SKCodecResult.ErrorInInput => "corrupt data",
        SKCodecResult.Unimplemented => "unsupported format",
        SKCodecResult.InvalidInput => "invalid data",
        _ => result.ToString(),
    };
}

/// <summary>
/// The pixels being decoded in this process at once, and the most there may be: one budget for every thread and every
/// decoder, so that parallel decodes of huge images share it instead of each having a full one.
/// </summary>
internal static class DecodeBudget
{
    private static readonly object Gate = new();
    private static long capacity = ImageDecoder.DefaultMaxPixels;
    private static long inUse, peak;

    /// <summary>The most pixels decoded at once.</summary>
    public static long Capacity
    {
        get { lock (Gate) return capacity; }
        set { lock (Gate) { capacity = value; Monitor.PulseAll(Gate); } }
    }

    /// <summary>The most pixels held at once since the last <see cref="ResetPeak"/> (for tests).</summary>
    public static long Peak { get { lock (Gate) return peak; } }

    /// <summary>Starts a new peak measurement.</summary>
    public static void ResetPeak() { lock (Gate) peak = inUse; }

    /// <summary>Waits until <paramref name="pixels"/> fit in the budget (or nothing else is held), takes them, and returns the lease that gives them back.</summary>
    public static IDisposable Acquire(long pixels)
    {
        lock (Gate)
        {
            while (inUse > 0 && inUse + pixels > capacity) Monitor.Wait(Gate);
            inUse += pixels;
            peak = Math.Max(peak, inUse);
        }
        return new Lease(pixels);
    }

    private sealed class Lease(long pixels) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) != 0) return;
            lock (Gate)
            {
                inUse -= pixels;
                Monitor.PulseAll(Gate);
            }
        }
    }
}
