using ShapedVit.Data;
using ShapedVit.Vision;
using ShapedVit.Testing;
using SkiaSharp;
using static ShapedVit.Testing.TestImages;

namespace ShapedVit.Vision.Tests;

public class ImageDecoderTests
{
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
    private static PixelImage Numbered() =>
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

    [Fact]
    public void The_limit_on_each_side_is_configurable_and_inclusive()
    {
        byte[] png = Png(1, 300, (_, y) => new SKColor((byte)y, 0, 0));
        Assert.Equal(300, ImageDecoder.Decode(png, "tall.png", maxDimension: 300).Height);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png, "tall.png", maxDimension: 299));
        Assert.Equal("tall.png: 1x300 has a side over the limit of 299 pixels (raise --max-dimension to allow it).", e.Message);
        // The pixel limit still applies on its own: 300 pixels, limit 299.
        Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png, "tall.png", maxPixels: 299));
    }

    [Fact]
    public void A_directory_is_refused_with_its_own_message()
    {
        using var dir = new TempDirectory();
        Assert.Equal($"{dir.Path}: a directory, not an image file.", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(dir.Path)).Message);
    }

    [Theory]
    [InlineData("/dev/zero")]   // would read until memory runs out
    [InlineData("/dev/null")]
    public void A_device_is_refused_before_reading(string device)
    {
        if (!File.Exists(device)) return; // not a Unix machine
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(device));
        Assert.Equal($"{device}: a character device, not an image file.", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "nothing was read");
    }

    [Fact]
    public void A_named_pipe_is_refused_without_opening_it()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDirectory();
        string fifo = Path.Combine(dir.Path, "pipe.png");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        // Opening it would block until a writer came; the refusal comes first.
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(fifo));
        Assert.Equal($"{fifo}: a named pipe (FIFO), not an image file.", e.Message);
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_before_decoding()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "big.png");
        File.WriteAllBytes(path, Png(8, 8, (_, _) => SKColors.Red));
        long size = new FileInfo(path).Length;
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(path, maxFileBytes: size - 1));
        Assert.Equal($"{path}: {size} bytes exceeds the file size limit of {size - 1}.", e.Message);
        Assert.Equal(8, ImageDecoder.Decode(path, maxFileBytes: size).Width);
    }
}
