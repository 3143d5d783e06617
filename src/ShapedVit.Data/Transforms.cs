using System.Globalization;
using ShapedVit.Checkpoints;

namespace ShapedVit.Data;

/// <summary>
/// One step of an image transform, as a torchvision transform: RGB in, RGB out, randomness drawn from the generator it is
/// given (one generator per image, so a batch decoded on many threads is the same as one decoded on one).
/// </summary>
public interface IImageTransform
{
    /// <summary>The transformed image (may be <paramref name="image"/> itself when nothing changes).</summary>
    RgbImage Apply(RgbImage image, Random random);

    /// <summary>torchvision's repr of the step, with its numbers (saved with a run's state).</summary>
    string Description { get; }
}

/// <summary>
/// torchvision's <c>RandomResizedCrop</c>: a crop of random area share in [<see cref="MinScale"/>, <see cref="MaxScale"/>] and
/// aspect ratio (log-uniform) in [<see cref="MinRatio"/>, <see cref="MaxRatio"/>], resized to <see cref="Size"/> x
/// <see cref="Size"/> (bicubic, PIL's filter, <see cref="Preprocessing.Resize"/>). The crop is drawn by torchvision's
/// algorithm (<see cref="GetParams"/>): 10 tries, then a centre crop of the clamped aspect ratio.
/// </summary>
/// <param name="Size">Output side in pixels (square).</param>
/// <param name="MinScale">Smallest crop area, as a share of the image's.</param>
/// <param name="MaxScale">Largest crop area, as a share of the image's.</param>
/// <param name="MinRatio">Smallest aspect ratio (width / height) of the crop.</param>
/// <param name="MaxRatio">Largest aspect ratio (width / height) of the crop.</param>
public sealed record RandomResizedCrop(int Size, double MinScale = 0.08, double MaxScale = 1.0, double MinRatio = 3.0 / 4, double MaxRatio = 4.0 / 3) : IImageTransform
{
    /// <summary>
    /// torchvision's <c>RandomResizedCrop.get_params</c>: up to 10 times, target area = area x U(scale), aspect =
    /// exp(U(log ratio)), w = round(sqrt(area x aspect)), h = round(sqrt(area / aspect)) (round half to even, as Python's
    /// <c>round</c>); the first that fits gets a uniform position (top in [0, H - h], left in [0, W - w]). Otherwise a
    /// centre crop: the whole image if its ratio is within the range, else the widest (or tallest) crop of the nearest
    /// allowed ratio. Draws, per try: the scale, the ratio, then on success the top and the left.
    /// </summary>
    public (int Top, int Left, int Height, int Width) GetParams(int width, int height, Random random)
    {
        double area = (double)height * width;
        double logMin = Math.Log(MinRatio), logMax = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double targetArea = area * (MinScale + (MaxScale - MinScale) * random.NextDouble());
            double aspect = Math.Exp(logMin + (logMax - logMin) * random.NextDouble());
            int w = (int)Math.Round(Math.Sqrt(targetArea * aspect), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(targetArea / aspect), MidpointRounding.ToEven);
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                int top = random.Next(height - h + 1);
                int left = random.Next(width - w + 1);
                return (top, left, h, w);
            }
        }
        double inRatio = (double)width / height;
        int cw, ch;
        if (inRatio < Math.Min(MinRatio, MaxRatio)) { cw = width; ch = (int)Math.Round(cw / Math.Min(MinRatio, MaxRatio), MidpointRounding.ToEven); }
        else if (inRatio > Math.Max(MinRatio, MaxRatio)) { ch = height; cw = (int)Math.Round(ch * Math.Max(MinRatio, MaxRatio), MidpointRounding.ToEven); }
        else { cw = width; ch = height; }
        return ((height - ch) / 2, (width - cw) / 2, ch, cw);
    }

    /// <inheritdoc/>
    public RgbImage Apply(RgbImage image, Random random)
    {
        var (top, left, h, w) = GetParams(image.Width, image.Height, random);
        var crop = ImageOps.Crop(image, top, left, h, w);
        return new RgbImage(Size, Size, Preprocessing.Resize(crop.Pixels, w, h, 3, Size, Size));
    }

    /// <inheritdoc/>
    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"RandomResizedCrop(size=({Size}, {Size}), scale=({MinScale:R}, {MaxScale:R}), ratio=({MinRatio:R}, {MaxRatio:R}), interpolation=bicubic)");
}

/// <summary>torchvision's <c>RandomHorizontalFlip</c>: mirrors the image left-right with probability <see cref="P"/> (one draw).</summary>
/// <param name="P">Probability of flipping.</param>
public sealed record RandomHorizontalFlip(double P = 0.5) : IImageTransform
{
    /// <inheritdoc/>
    public RgbImage Apply(RgbImage image, Random random) => random.NextDouble() < P ? ImageOps.FlipHorizontal(image) : image;

    /// <inheritdoc/>
    public string Description => string.Create(CultureInfo.InvariantCulture, $"RandomHorizontalFlip(p={P:R})");
}

/// <summary>Pixel operations on <see cref="RgbImage"/> used by the transforms.</summary>
public static class ImageOps
{
    /// <summary>The <paramref name="height"/> x <paramref name="width"/> region at (<paramref name="top"/>, <paramref name="left"/>).</summary>
    public static RgbImage Crop(RgbImage image, int top, int left, int height, int width)
    {
        if (top < 0 || left < 0 || height < 1 || width < 1 || top + height > image.Height || left + width > image.Width)
            throw new ArgumentOutOfRangeException(nameof(top), $"Crop {width}x{height} at ({left}, {top}) is outside the {image.Width}x{image.Height} image.");
        var pixels = new byte[3 * width * height];
        for (int y = 0; y < height; y++)
            Array.Copy(image.Pixels, 3 * ((top + y) * image.Width + left), pixels, 3 * y * width, 3 * width);
        return new RgbImage(width, height, pixels);
    }

    /// <summary>The mirror image (left and right swapped).</summary>
    public static RgbImage FlipHorizontal(RgbImage image)
    {
        int w = image.Width;
        var pixels = new byte[image.Pixels.Length];
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < w; x++)
            {
                int from = 3 * (y * w + x), to = 3 * (y * w + w - 1 - x);
                pixels[to] = image.Pixels[from]; pixels[to + 1] = image.Pixels[from + 1]; pixels[to + 2] = image.Pixels[from + 2];
            }
        return new RgbImage(w, image.Height, pixels);
    }
}

/// <summary>
/// A whole image transform, as timm's <c>create_transform</c> returns it: random or fixed steps on the RGB image, then
/// torchvision's <c>ToTensor</c> and <c>Normalize</c> to float [Channels, Size, Size] (grey models see PIL's luminance).
/// <see cref="Train"/> is timm's <c>transforms_imagenet_train</c>, <see cref="Eval"/> its evaluation transform from a
/// checkpoint's preprocessing.
/// </summary>
public sealed class ImageTransform
{
    private readonly PreprocessConfig? eval;

    /// <summary>Random or fixed steps, then normalisation; the steps must leave a <paramref name="size"/> x <paramref name="size"/> image.</summary>
    public ImageTransform(IReadOnlyList<IImageTransform> steps, int size, float[] mean, float[] std, int channels = 3)
    {
        if (channels is not (1 or 3)) throw new ArgumentException($"Channels must be 1 or 3 (got {channels}).");
        if (mean.Length != channels || std.Length != channels) throw new ArgumentException($"Mean and std need {channels} value(s) each.");
        if (std.Any(s => !(s > 0))) throw new ArgumentException("Std values must be positive.");
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Steps = steps; Size = size; Mean = mean; Std = std; Channels = channels;
    }

    private ImageTransform(PreprocessConfig config) : this([], config.Size, config.Mean, config.Std, config.Channels) => eval = config;

    /// <summary>The steps before normalisation.</summary>
    public IReadOnlyList<IImageTransform> Steps { get; }
    /// <summary>Output side.</summary>
    public int Size { get; }
    /// <summary>Per-channel mean of pixels scaled to 0..1.</summary>
    public float[] Mean { get; }
    /// <summary>Per-channel std of pixels scaled to 0..1.</summary>
    public float[] Std { get; }
    /// <summary>Output channels (1 or 3).</summary>
    public int Channels { get; }
    /// <summary>Floats per output image.</summary>
    public int OutputLength => Channels * Size * Size;

    /// <summary>
    /// timm's training transform (<c>transforms_imagenet_train</c>): <see cref="RandomResizedCrop"/> to the model's size
    /// (scale 0.08-1, ratio 3/4-4/3), <see cref="RandomHorizontalFlip"/> (0.5), optionally <see cref="TrivialAugmentWide"/>,
    /// then the model's mean and std (from its preprocessing, as timm takes them from <c>pretrained_cfg</c>).
    /// </summary>
    public static ImageTransform Train(PreprocessConfig preprocessing, double minScale = 0.08, double horizontalFlip = 0.5, bool trivialAugment = true)
    {
        var steps = new List<IImageTransform> { new RandomResizedCrop(preprocessing.Size, minScale) };
        if (horizontalFlip > 0) steps.Add(new RandomHorizontalFlip(horizontalFlip));
        if (trivialAugment) steps.Add(new TrivialAugmentWide());
        return new ImageTransform(steps, preprocessing.Size, preprocessing.Mean, preprocessing.Std, preprocessing.Channels);
    }

    /// <summary>The evaluation transform of a model's preprocessing (resize the short side, centre crop, mean/std): <see cref="Preprocessing.Apply"/>.</summary>
    public static ImageTransform Eval(PreprocessConfig preprocessing)
    {
        string? problem = preprocessing.Problems().FirstOrDefault();
        if (problem is not null) throw new ArgumentException(problem, nameof(preprocessing));
        return new ImageTransform(preprocessing);
    }

    /// <summary>The model input for one image: [Channels, Size, Size] floats, row-major. <paramref name="random"/> feeds the random steps.</summary>
    public float[] Apply(RgbImage image, Random random)
    {
        if (eval is not null) return Preprocessing.Apply(image, eval);
        foreach (var step in Steps) image = step.Apply(image, random);
        if (image.Width != Size || image.Height != Size)
            throw new InvalidOperationException($"The transform's steps left a {image.Width}x{image.Height} image; the model needs {Size}x{Size}.");
        return Normalize(image);
    }

    /// <summary>ToTensor and Normalize: (pixel / 255 - mean) / std, channel-major (grey: PIL's luminance first).</summary>
    public float[] Normalize(RgbImage image)
    {
        int plane = image.Width * image.Height;
        var output = new float[Channels * plane];
        byte[] source = Channels == 1 ? Preprocessing.ToLuminance(image) : image.Pixels;
        for (int c = 0; c < Channels; c++)
        {
            float scale = 1f / (255f * Std[c]), offset = -Mean[c] / Std[c];
            for (int i = 0; i < plane; i++) output[c * plane + i] = source[i * Channels + c] * scale + offset;
        }
        return output;
    }

    /// <summary>torchvision's <c>Compose</c> repr in one line: every step, then ToTensor and Normalize (or the evaluation preprocessing).</summary>
    public string Description
    {
        get
        {
            static string List(IEnumerable<float> values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
            string normalize = $"Normalize(mean=[{List(Mean)}], std=[{List(Std)}])";
            if (eval is not null)
                return string.Create(CultureInfo.InvariantCulture,
                    $"Resize({eval.ScaleSize}, interpolation={eval.Interpolation.ToString().ToLowerInvariant()}), CenterCrop({eval.Size}), ToTensor(), {normalize}{(eval.Channels == 1 ? ", Grayscale" : "")}");
            return string.Join(", ", Steps.Select(s => s.Description).Append("ToTensor()").Append(normalize)) + (Channels == 1 ? ", Grayscale" : "");
        }
    }
}
