using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;

namespace ShapedVit.Testing;

/// <summary>Image files made in the test itself: PNGs of any size and colours, a decompression bomb's header, a sideways JPEG.</summary>
public static class TestImages
{
    /// <summary>A PNG of <paramref name="width"/> x <paramref name="height"/> whose pixel (x, y) is <paramref name="color"/>(x, y).</summary>
    public static byte[] Png(int width, int height, Func<int, int, SKColor> color)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        // Written into the pixel buffer: SKBitmap.SetPixel draws through a canvas per call, whose cost grows with the bitmap
        // (a 1 x 200,000 strip took minutes).
        var pixels = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var c = color(x, y);
                int at = 4 * (y * width + x);
                pixels[at] = c.Red; pixels[at + 1] = c.Green; pixels[at + 2] = c.Blue; pixels[at + 3] = c.Alpha;
            }
        bitmap.NotifyPixelsChanged();
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>A valid PNG signature and IHDR claiming a gigantic image, with one tiny IDAT: a decompression bomb's header.</summary>
    public static byte[] HugePngHeader(int width, int height)
    {
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Fastest)) z.Write(new byte[64]);
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a, .. Chunk("IHDR", RgbHeader(width, height)), .. Chunk("IDAT", idat.ToArray()), .. Chunk("IEND", [])];
    }

    /// <summary>
    /// A valid 8-bit RGB PNG of <paramref name="width"/> x <paramref name="height"/> whose rows all hold the same
    /// gradient (shifted by <paramref name="shade"/>): gigapixel-scale images that decode completely, from files of a few
    /// hundred kilobytes, made in about a second.
    /// </summary>
    public static byte[] LargePng(int width, int height, byte shade = 0)
    {
        var row = new byte[1 + 3 * width]; // filter byte 0 (None), then RGB
        for (int x = 0; x < width; x++) { row[1 + 3 * x] = (byte)(x + shade); row[2 + 3 * x] = (byte)(x >> 8); row[3 + 3 * x] = shade; }
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Fastest))
            for (int y = 0; y < height; y++) z.Write(row);
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a, .. Chunk("IHDR", RgbHeader(width, height)), .. Chunk("IDAT", idat.ToArray()), .. Chunk("IEND", [])];
    }

    private static byte[] RgbHeader(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
        return ihdr;
    }

    private static byte[] Chunk(string type, byte[] body)
    {
        var chunk = new byte[12 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, body.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        body.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + body.Length), Crc32(chunk.AsSpan(4, 4 + body.Length)));
        return chunk;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>A JPEG (left half red, right half blue, 20x10 as stored) carrying an EXIF APP1 segment with the orientation tag.</summary>
    public static byte[] JpegWithExifOrientation(ushort orientation)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(20, 10, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(230, 20, 20));
            using var blue = new SKPaint { Color = new SKColor(20, 20, 230) };
            canvas.DrawRect(10, 0, 10, 10, blue);
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(SKEncodedImageFormat.Jpeg, 95);
        byte[] jpeg = encoded.ToArray();
        // TIFF (big-endian): header, one IFD with one SHORT entry 0x0112 = orientation, no next IFD.
        byte[] tiff = [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, (byte)(orientation >> 8), (byte)orientation, 0, 0, 0, 0, 0, 0];
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        byte[] app1 = [0xFF, 0xE1, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2), .. payload];
        return [.. jpeg.AsSpan(0, 2), .. app1, .. jpeg.AsSpan(2)]; // right after SOI
    }
}
