using System.Buffers.Binary;
using System.IO.Compression;
using ShapedVit.Imaging;
using SkiaSharp;

namespace ShapedVit.Tests.Data;

public class ImageDecoderTests
{
    internal static byte[] Png(int width, int height, Func<int, int, SKColor> color)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, color(x, y));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>A valid PNG signature and IHDR claiming a gigantic image, with one tiny IDAT: a decompression bomb's header.</summary>
    internal static byte[] HugePngHeader(int width, int height)
    {
        static byte[] Chunk(string type, byte[] body)
        {
            var chunk = new byte[12 + body.Length];
            BinaryPrimitives.WriteInt32BigEndian(chunk, body.Length);
            System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
            body.CopyTo(chunk, 8);
            BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + body.Length), Crc32(chunk.AsSpan(4, 4 + body.Length)));
            return chunk;
        }
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Fastest)) z.Write(new byte[64]);
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", idat.ToArray()), .. Chunk("IEND", [])];
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

    [Fact]
    public void A_png_decodes_to_its_exact_rgb_pixels()
    {
        byte[] png = Png(3, 2, (x, y) => new SKColor((byte)(x * 100), (byte)(y * 200), 7, 128));
        var image = ImageDecoder.Decode(png, "test.png");
        Assert.Equal((3, 2), (image.Width, image.Height));
        Assert.Equal(new byte[] { 0, 0, 7, 100, 0, 7, 200, 0, 7, 0, 200, 7, 100, 200, 7, 200, 200, 7 }, image.Pixels);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp)]
    public void Jpeg_and_webp_decode_to_their_size_and_colour(SKEncodedImageFormat encoding)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(20, 10, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(new SKColor(200, 40, 90));
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(encoding, 95);
        var decoded = ImageDecoder.Decode(encoded.ToArray(), $"x.{encoding}");
        Assert.Equal((20, 10), (decoded.Width, decoded.Height));
        // Lossy formats: the flat colour comes back within a few levels.
        Assert.InRange(decoded.Pixels[0], 195, 205);
        Assert.InRange(decoded.Pixels[1], 35, 45);
        Assert.InRange(decoded.Pixels[2], 85, 95);
    }

    [Fact]
    public void A_missing_file_is_one_line()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode("/no/such/image.png"));
        Assert.Equal("/no/such/image.png: no such file.", e.Message);
    }

    [Fact]
    public void A_zero_byte_file_is_one_line() =>
        Assert.Equal("empty.png: empty file.", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode([], "empty.png")).Message);

    [Fact]
    public void A_file_that_is_not_an_image_is_one_line()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode("hello, not a picture\n"u8.ToArray(), "notes.jpg"));
        Assert.StartsWith("notes.jpg: not a supported image", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_truncated_image_is_one_line()
    {
        byte[] png = Png(64, 64, (x, y) => new SKColor((byte)(x * 4), (byte)(y * 4), (byte)(x ^ y)));
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png[..(png.Length / 2)], "cut.png"));
        Assert.StartsWith("cut.png: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Huge_dimensions_are_refused_before_decoding()
    {
        byte[] bomb = HugePngHeader(100_000, 100_000);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bomb, "bomb.png"));
        Assert.Equal("bomb.png: 100000x100000 = 10000000000 pixels exceeds the limit of 89478485 (possible decompression bomb; raise --max-pixels to allow it).", e.Message);
    }

    [Fact]
    public void The_pixel_limit_is_configurable()
    {
        byte[] png = Png(3, 2, (_, _) => SKColors.White);
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png, "six.png", maxPixels: 5));
        Assert.Equal(6, ImageDecoder.Decode(png, "six.png", maxPixels: 6).Pixels.Length / 3);
    }
}
