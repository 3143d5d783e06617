namespace ShapedVit.Data;

/// <summary>The operations of <see cref="TrivialAugmentWide"/>, in torchvision's order.</summary>
public enum AugmentOp
{
    /// <summary>The image unchanged.</summary>
    Identity,
    /// <summary>Horizontal shear by a factor m (angle atan(m)), about the top-left corner.</summary>
    ShearX,
    /// <summary>Vertical shear by a factor m (angle atan(m)), about the top-left corner.</summary>
    ShearY,
    /// <summary>Horizontal shift by int(m) pixels.</summary>
    TranslateX,
    /// <summary>Vertical shift by int(m) pixels.</summary>
    TranslateY,
    /// <summary>Rotation by m degrees anticlockwise about the centre.</summary>
    Rotate,
    /// <summary>PIL's <c>ImageEnhance.Brightness</c> with factor 1 + m (blend with black).</summary>
    Brightness,
    /// <summary>PIL's <c>ImageEnhance.Color</c> with factor 1 + m (blend with the luminance).</summary>
    Color,
    /// <summary>PIL's <c>ImageEnhance.Contrast</c> with factor 1 + m (blend with the mean luminance).</summary>
    Contrast,
    /// <summary>PIL's <c>ImageEnhance.Sharpness</c> with factor 1 + m (blend with the smoothed image).</summary>
    Sharpness,
    /// <summary>Keeps the top int(m) bits of each channel (<c>ImageOps.posterize</c>).</summary>
    Posterize,
    /// <summary>Inverts the channel values at or above m (<c>ImageOps.solarize</c>).</summary>
    Solarize,
    /// <summary>Stretches each channel to the full 0-255 range (<c>ImageOps.autocontrast</c>).</summary>
    AutoContrast,
    /// <summary>Equalises each channel's histogram (<c>ImageOps.equalize</c>).</summary>
    Equalize,
}

/// <summary>
/// torchvision's <c>TrivialAugmentWide</c> (Müller and Hutter, 2021) on PIL images: one operation drawn uniformly from the 14
/// of <see cref="AugmentOp"/>, one of 31 magnitudes drawn uniformly from its range (the "wide" ranges: shear 0-0.99, translate
/// 0-32 px, rotate 0-135 degrees, enhance factors 1 +- 0-0.99, posterize 8-2 bits, solarize 255-0), a random sign for the
/// signed ones; geometric operations sample nearest and fill with black, the colour ones are PIL's <c>ImageEnhance</c> and
/// <c>ImageOps</c> (see <see cref="Apply(PixelImage, AugmentOp, double)"/>). RGB and grey images (PIL's "RGB" and "L").
/// </summary>
/// <param name="Bins">Number of magnitude bins (torchvision's <c>num_magnitude_bins</c>).</param>
public sealed record TrivialAugmentWide(int Bins = 31) : IImageTransform
{
    /// <summary>The magnitude of bin <paramref name="bin"/> of <paramref name="op"/> (torchvision's <c>_augmentation_space</c>) and whether it takes a random sign.</summary>
    internal (double Magnitude, bool Signed) Magnitude(AugmentOp op, int bin)
    {
        double Linspace(double from, double to) => Bins == 1 ? from : from + (to - from) * bin / (Bins - 1);
        return op switch
        {
            AugmentOp.ShearX or AugmentOp.ShearY => (Linspace(0, 0.99), true),
            AugmentOp.TranslateX or AugmentOp.TranslateY => (Linspace(0, 32), true),
            AugmentOp.Rotate => (Linspace(0, 135), true),
            AugmentOp.Brightness or AugmentOp.Color or AugmentOp.Contrast or AugmentOp.Sharpness => (Linspace(0, 0.99), true),
            AugmentOp.Posterize => (8 - (int)Math.Round(bin / ((Bins - 1) / 6.0), MidpointRounding.ToEven), false),
            AugmentOp.Solarize => (Linspace(255, 0), false),
            _ => (0, false),
        };
    }

    /// <summary>The draws of one image: the operation, the magnitude bin (only for operations with a magnitude), the sign (only for signed ones).</summary>
    internal (AugmentOp Op, double Magnitude) Draw(Random random)
    {
        var op = (AugmentOp)random.Next(14);
        if (op is AugmentOp.Identity or AugmentOp.AutoContrast or AugmentOp.Equalize) return (op, 0);
        var (magnitude, signed) = Magnitude(op, random.Next(Bins));
        if (signed && random.Next(2) == 1) magnitude = -magnitude;
        return (op, magnitude);
    }

    /// <inheritdoc/>
    public PixelImage Apply(PixelImage image, Random random)
    {
        if (image.Channels is not (1 or 3)) throw new ArgumentException($"TrivialAugmentWide works on RGB and grey images, not {image.Channels} channels.");
        var (op, magnitude) = Draw(random);
        return Apply(image, op, magnitude);
    }

    /// <inheritdoc/>
    public (int Width, int Height) OutputSize(int width, int height) => (width, height);

    /// <inheritdoc/>
    public string Description => $"TrivialAugmentWide(num_magnitude_bins={Bins}, interpolation=nearest, fill=0)";

    /// <summary>
    /// torchvision's <c>_apply_op</c> on a PIL image. Shear: <c>F.affine</c> with shear degrees(atan(m)) about the top-left
    /// corner; translate: int(m) pixels; rotate: m degrees anticlockwise about (W/2, H/2); all through PIL's nearest affine
    /// sampling with black fill. Brightness, Color, Contrast, Sharpness: PIL's <c>Image.blend(degenerate, image, 1 + m)</c>
    /// (truncated, clipped) with a black image, the luminance, the luminance's rounded mean, the SMOOTH-filtered image
    /// (edges kept). Posterize keeps the top int(m) bits, Solarize inverts pixels at or above m, AutoContrast and Equalize as
    /// PIL's <c>ImageOps</c>.
    /// </summary>
    public static PixelImage Apply(PixelImage image, AugmentOp op, double magnitude)
    {
        double Degrees(double radians) => radians * 180 / Math.PI;
        int w = image.Width, h = image.Height;
        switch (op)
        {
            case AugmentOp.ShearX: return Affine(image, InverseAffine(0, 0, 0, 0, 0, Degrees(Math.Atan(magnitude)), 0));
            case AugmentOp.ShearY: return Affine(image, InverseAffine(0, 0, 0, 0, 0, 0, Degrees(Math.Atan(magnitude))));
            case AugmentOp.TranslateX: return Affine(image, InverseAffine(w * 0.5, h * 0.5, 0, (int)magnitude, 0, 0, 0));
            case AugmentOp.TranslateY: return Affine(image, InverseAffine(w * 0.5, h * 0.5, 0, 0, (int)magnitude, 0, 0));
            case AugmentOp.Rotate: return Affine(image, PilRotation(w, h, magnitude));
            case AugmentOp.Brightness: return Blend(new byte[image.Pixels.Length], image, 1 + magnitude);
            case AugmentOp.Color:
            {
                if (image.Channels == 1) return image; // PIL: an "L" image's colourless version is itself, and the blend leaves it
                var grey = Preprocessing.ToLuminance(image);
                var degenerate = new byte[image.Pixels.Length];
                for (int i = 0; i < grey.Length; i++) degenerate[3 * i] = degenerate[3 * i + 1] = degenerate[3 * i + 2] = grey[i];
                return Blend(degenerate, image, 1 + magnitude);
            }
            case AugmentOp.Contrast:
            {
                var grey = Preprocessing.ToLuminance(image);
                double sum = 0;
                foreach (byte g in grey) sum += g;
                byte mean = (byte)(int)(sum / grey.Length + 0.5);
                var degenerate = new byte[image.Pixels.Length];
                Array.Fill(degenerate, mean);
                return Blend(degenerate, image, 1 + magnitude);
            }
            case AugmentOp.Sharpness: return Blend(Smooth(image), image, 1 + magnitude);
            case AugmentOp.Posterize:
            {
                int bits = (int)magnitude;
                byte mask = (byte)~((1 << (8 - bits)) - 1);
                return Map(image, v => (byte)(v & mask));
            }
            case AugmentOp.Solarize: return Map(image, v => v < magnitude ? v : (byte)(255 - v));
            case AugmentOp.AutoContrast: return AutoContrast(image);
            case AugmentOp.Equalize: return Equalize(image);
            default: return image;
        }
    }

    /// <summary>torchvision's <c>_get_inverse_affine_matrix</c> (centre, angle, translation, scale 1, shear; degrees): output pixel to input pixel.</summary>
    internal static double[] InverseAffine(double cx, double cy, double angle, double tx, double ty, double shearX, double shearY)
    {
        double rot = angle * Math.PI / 180, sx = shearX * Math.PI / 180, sy = shearY * Math.PI / 180;
        double a = Math.Cos(rot - sy) / Math.Cos(sy);
        double b = -Math.Cos(rot - sy) * Math.Tan(sx) / Math.Cos(sy) - Math.Sin(rot);
        double c = Math.Sin(rot - sy) / Math.Cos(sy);
        double d = -Math.Sin(rot - sy) * Math.Tan(sx) / Math.Cos(sy) + Math.Cos(rot);
        var m = new[] { d, -b, 0.0, -c, a, 0.0 };
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
        m[2] += cx;
        m[5] += cy;
        return m;
    }

    /// <summary>PIL's <c>Image.rotate(angle)</c> matrix (anticlockwise degrees about (W/2, H/2), coefficients rounded to 15 places).</summary>
    internal static double[] PilRotation(int width, int height, double angle)
    {
        double radians = -(((angle % 360) + 360) % 360) * Math.PI / 180;
        double cos = Math.Round(Math.Cos(radians), 15), sin = Math.Round(Math.Sin(radians), 15);
        double cx = width / 2.0, cy = height / 2.0;
        var m = new[] { cos, sin, 0.0, -sin, cos, 0.0 };
        m[2] = m[0] * -cx + m[1] * -cy + cx;
        m[5] = m[3] * -cx + m[4] * -cy + cy;
        return m;
    }

    /// <summary>PIL's nearest affine transform: output (x, y) reads input (a(x+.5) + b(y+.5) + c, d(x+.5) + e(y+.5) + f), truncated; outside is black.</summary>
    internal static PixelImage Affine(PixelImage image, double[] m)
    {
        int w = image.Width, h = image.Height, c = image.Channels;
        var pixels = new byte[image.Pixels.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double xx = m[0] * (x + 0.5) + m[1] * (y + 0.5) + m[2], yy = m[3] * (x + 0.5) + m[4] * (y + 0.5) + m[5];
                int xi = xx < 0 ? -1 : (int)xx, yi = yy < 0 ? -1 : (int)yy;
                if (xi < 0 || xi >= w || yi < 0 || yi >= h) continue;
                Array.Copy(image.Pixels, c * (yi * w + xi), pixels, c * (y * w + x), c);
            }
        return new PixelImage(w, h, pixels, c);
    }

    /// <summary>PIL's <c>Image.blend(degenerate, image, alpha)</c>: degenerate + alpha (image - degenerate) in float, truncated, clipped to 0..255.</summary>
    internal static PixelImage Blend(byte[] degenerate, PixelImage image, double alpha)
    {
        float a = (float)alpha;
        var pixels = new byte[image.Pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            float value = degenerate[i] + a * (image.Pixels[i] - degenerate[i]);
            pixels[i] = value <= 0 ? (byte)0 : value >= 255 ? (byte)255 : (byte)value;
        }
        return new PixelImage(image.Width, image.Height, pixels, image.Channels);
    }

    /// <summary>PIL's SMOOTH filter: the 3x3 kernel [1 1 1; 1 5 1; 1 1 1] / 13, rounded; the one-pixel border is left as it is.</summary>
    internal static byte[] Smooth(PixelImage image)
    {
        int w = image.Width, h = image.Height, channels = image.Channels;
        var source = image.Pixels;
        var output = (byte[])source.Clone();
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++)
                for (int c = 0; c < channels; c++)
                {
                    int sum = 0;
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                            sum += source[channels * ((y + dy) * w + x + dx) + c] * (dx == 0 && dy == 0 ? 5 : 1);
                    output[channels * (y * w + x) + c] = (byte)Math.Clamp((int)(sum / 13.0 + 0.5), 0, 255);
                }
        return output;
    }

    private static PixelImage Map(PixelImage image, Func<byte, byte> lookup)
    {
        var table = new byte[256];
        for (int v = 0; v < 256; v++) table[v] = lookup((byte)v);
        var pixels = new byte[image.Pixels.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = table[image.Pixels[i]];
        return new PixelImage(image.Width, image.Height, pixels, image.Channels);
    }

    private static PixelImage PerChannel(PixelImage image, Func<long[], byte[]> table)
    {
        var pixels = new byte[image.Pixels.Length];
        int channels = image.Channels;
        for (int c = 0; c < channels; c++)
        {
            var histogram = new long[256];
            for (int i = c; i < pixels.Length; i += channels) histogram[image.Pixels[i]]++;
            var lut = table(histogram);
            for (int i = c; i < pixels.Length; i += channels) pixels[i] = lut[image.Pixels[i]];
        }
        return new PixelImage(image.Width, image.Height, pixels, image.Channels);
    }

    private static byte[] IdentityTable() => Enumerable.Range(0, 256).Select(v => (byte)v).ToArray();

    /// <summary>PIL's <c>ImageOps.autocontrast</c> (no cutoff): each channel's range stretched to 0..255, lut int(v x scale + offset).</summary>
    internal static PixelImage AutoContrast(PixelImage image) => PerChannel(image, histogram =>
    {
        int lo = Array.FindIndex(histogram, n => n > 0), hi = Array.FindLastIndex(histogram, n => n > 0);
        if (hi <= lo) return IdentityTable();
        double scale = 255.0 / (hi - lo), offset = -lo * scale;
        return Enumerable.Range(0, 256).Select(v => (byte)Math.Clamp((int)(v * scale + offset), 0, 255)).ToArray();
    });

    /// <summary>PIL's <c>ImageOps.equalize</c>: per channel, step = (pixels - count of the last used value) // 256, lut (step // 2 + cumulative count) // step.</summary>
    internal static PixelImage Equalize(PixelImage image) => PerChannel(image, histogram =>
    {
        var used = histogram.Where(n => n > 0).ToArray();
        if (used.Length <= 1) return IdentityTable();
        long step = (used.Sum() - used[^1]) / 256;
        if (step == 0) return IdentityTable();
        var lut = new byte[256];
        long n = step / 2;
        for (int i = 0; i < 256; i++)
        {
            lut[i] = (byte)Math.Min(255, n / step);
            n += histogram[i];
        }
        return lut;
    });
}
