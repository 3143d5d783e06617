using System.Buffers.Binary;
using System.IO.Compression;
using ShapedVit.Vision;
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

    /// <summary>A 3x2 image whose red channel names each pixel 10 * y + x.</summary>
    private static RgbImage Numbered() =>
        new(3, 2, [.. new[] { 0, 1, 2, 10, 11, 12 }.SelectMany(v => new[] { (byte)v, (byte)7, (byte)9 })]);

    [Theory]
    [InlineData(1, 3, "0,1,2|10,11,12")]
    [InlineData(2, 3, "2,1,0|12,11,10")]      // mirrored left-right
    [InlineData(3, 3, "12,11,10|2,1,0")]      // turned 180 degrees
    [InlineData(4, 3, "10,11,12|0,1,2")]      // mirrored top-bottom
    [InlineData(5, 2, "0,10|1,11|2,12")]      // transposed
    [InlineData(6, 2, "10,0|11,1|12,2")]      // turned 90 degrees clockwise: the left column becomes the top row
    [InlineData(7, 2, "12,2|11,1|10,0")]      // transversed
    [InlineData(8, 2, "2,12|1,11|0,10")]      // turned 90 degrees anticlockwise: the right column becomes the top row
    [InlineData(0, 3, "0,1,2|10,11,12")]      // not an orientation: left as stored
    [InlineData(9, 3, "0,1,2|10,11,12")]
    public void Exif_orientations_turn_the_image_as_pil_exif_transpose_does(int orientation, int width, string rows)
    {
        var oriented = ImageDecoder.Orient(Numbered(), orientation);
        Assert.Equal(width, oriented.Width);
        var red = Enumerable.Range(0, oriented.Height).Select(y =>
            string.Join(",", Enumerable.Range(0, oriented.Width).Select(x => oriented.Pixels[3 * (y * oriented.Width + x)])));
        Assert.Equal(rows, string.Join("|", red));
        Assert.All(Enumerable.Range(0, 6), i => Assert.Equal((7, 9), (oriented.Pixels[3 * i + 1], oriented.Pixels[3 * i + 2])));
    }

    /// <summary>A JPEG (left half red, right half blue, 20x10 as stored) carrying an EXIF APP1 segment with the orientation tag.</summary>
    internal static byte[] JpegWithExifOrientation(ushort orientation)
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

    [Fact]
    public void A_jpeg_stored_sideways_is_decoded_upright_unless_asked_not_to()
    {
        byte[] jpeg = JpegWithExifOrientation(6);
        var upright = ImageDecoder.Decode(jpeg, "phone.jpg");
        Assert.Equal((10, 20), (upright.Width, upright.Height));
        Assert.True(upright.Pixels[3 * (2 * 10 + 5)] > 200, "top half red after turning 90 degrees clockwise");
        Assert.True(upright.Pixels[3 * (17 * 10 + 5) + 2] > 200, "bottom half blue after turning 90 degrees clockwise");

        var stored = ImageDecoder.Decode(jpeg, "phone.jpg", applyOrientation: false);
        Assert.Equal((20, 10), (stored.Width, stored.Height));
        Assert.True(stored.Pixels[3 * (5 * 20 + 2)] > 200, "left half red as stored");
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
