using System.Globalization;
using System.Text.Json.Serialization;
using ShapedVit.Checkpoints;

namespace ShapedVit.Data;

/// <summary>
/// One step of an image transform, as a torchvision transform: an image in, an image out (any channel count the step
/// supports), randomness drawn from the generator it is given (one generator per image, so a batch built on many threads
/// is the same as one built on one). Steps are records: two pipelines are the same when their steps are equal.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "step")]
[JsonDerivedType(typeof(RandomResizedCrop), nameof(RandomResizedCrop))]
[JsonDerivedType(typeof(RandomCrop), nameof(RandomCrop))]
[JsonDerivedType(typeof(RandomHorizontalFlip), nameof(RandomHorizontalFlip))]
[JsonDerivedType(typeof(TrivialAugmentWide), nameof(TrivialAugmentWide))]
[JsonDerivedType(typeof(Resize), nameof(Resize))]
[JsonDerivedType(typeof(CenterCrop), nameof(CenterCrop))]
[JsonDerivedType(typeof(Grayscale), nameof(Grayscale))]
public interface IImageTransform
{
    /// <summary>The transformed image (may be <paramref name="image"/> itself when nothing changes).</summary>
    PixelImage Apply(PixelImage image, Random random);

    /// <summary>The size of the image this step makes from a <paramref name="width"/> x <paramref name="height"/> one.</summary>
    (int Width, int Height) OutputSize(int width, int height);

    /// <summary>torchvision's repr of the step, with its numbers.</summary>
    [JsonIgnore]
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
    public PixelImage Apply(PixelImage image, Random random)
    {
        var (top, left, h, w) = GetParams(image.Width, image.Height, random);
        var crop = ImageOps.Crop(image, top, left, h, w);
        return new PixelImage(Size, Size, Preprocessing.Resize(crop.Pixels, w, h, image.Channels, Size, Size), image.Channels);
    }

    /// <inheritdoc/>
    public (int Width, int Height) OutputSize(int width, int height) => (Size, Size);

    /// <inheritdoc/>
    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"RandomResizedCrop(size=({Size}, {Size}), scale=({MinScale:R}, {MaxScale:R}), ratio=({MinRatio:R}, {MaxRatio:R}), interpolation=bicubic)");
}

/// <summary>
/// torchvision's <c>RandomCrop</c> with zero padding: the image padded by <see cref="Padding"/> black pixels on each side,
/// then a <see cref="Height"/> x <see cref="Width"/> window at a uniform position (top drawn first, then left).
/// </summary>
/// <param name="Height">Output height.</param>
/// <param name="Width">Output width.</param>
/// <param name="Padding">Black pixels added on each side before the crop.</param>
public sealed record RandomCrop(int Height, int Width, int Padding = 0) : IImageTransform
{
    /// <inheritdoc/>
    public PixelImage Apply(PixelImage image, Random random)
    {
        int paddedHeight = image.Height + 2 * Padding, paddedWidth = image.Width + 2 * Padding;
        if (Height > paddedHeight || Width > paddedWidth)
            throw new ArgumentException($"RandomCrop {Width}x{Height} is larger than the padded {paddedWidth}x{paddedHeight} image.");
        int top = random.Next(paddedHeight - Height + 1) - Padding, left = random.Next(paddedWidth - Width + 1) - Padding;
        int c = image.Channels;
        var pixels = new byte[(long)Height * Width * c];
        for (int y = 0; y < Height; y++)
        {
            int sy = y + top;
            if (sy < 0 || sy >= image.Height) continue;
            int first = Math.Max(0, -left), last = Math.Min(Width, image.Width - left); // output columns inside the image
            if (last > first)
                Array.Copy(image.Pixels, ((long)sy * image.Width + left + first) * c, pixels, ((long)y * Width + first) * c, (long)(last - first) * c);
        }
        return new PixelImage(Width, Height, pixels, c);
    }

    /// <inheritdoc/>
    public (int Width, int Height) OutputSize(int width, int height) => (Width, Height);

    /// <inheritdoc/>
    public string Description => string.Create(CultureInfo.InvariantCulture, $"RandomCrop(size=({Height}, {Width}), padding={Padding})");
}

/// <summary>torchvision's <c>RandomHorizontalFlip</c>: mirrors the image left-right with probability <see cref="P"/> (one draw).</summary>
/// <param name="P">Probability of flipping.</param>
public sealed record RandomHorizontalFlip(double P = 0.5) : IImageTransform
{
    /// <inheritdoc/>
    public PixelImage Apply(PixelImage image, Random random) => random.NextDouble() < P ? ImageOps.FlipHorizontal(image) : image;

    /// <inheritdoc/>
    public (int Width, int Height) OutputSize(int width, int height) => (width, height);

    /// <inheritdoc/>
    public string Description => string.Create(CultureInfo.InvariantCulture, $"RandomHorizontalFlip(p={P:R})");
}

/// <summary>
/// torchvision's <c>Resize</c> with an int size: the short side to <see cref="Size"/>, the long side to
/// int(size x long / short), PIL's filter (<see cref="Preprocessing.Resize"/>). Followed by a <see cref="CenterCrop"/>
/// in one pipeline, only the crop's pixels are computed (see <see cref="ImageTransform.ApplySteps"/>).
/// </summary>
/// <param name="Size">The short side after resizing.</param>
/// <param name="Interpolation">Bicubic or bilinear.</param>
public sealed record Resize(int Size, Interpolation Interpolation = Interpolation.Bicubic) : IImageTransform
{
    /// <inheritdoc/>
    public PixelImage Apply(PixelImage image, Random random)
    {
        var (w, h) = OutputSize(image.Width, image.Height);
        return new PixelImage(w, h, Preprocessing.Resize(image.Pixels, image.Width, image.Height, image.Channels, w, h, Interpolation), image.Channels);
    }

    /// <inheritdoc/>
    public (int Width, int Height) OutputSize(int width, int height)
    {
        var (w, h) = Preprocessing.ShortSideTo(width, height, Size);
        if (w > int.MaxValue || h > int.MaxValue)
            throw new ArgumentException($"Resizing a {width}x{height} image to a short side of {Size} gives {w}x{h}: too large to hold.");
        return ((int)w, (int)h);
    }

    /// <inheritdoc/>
    public string Description => string.Create(CultureInfo.InvariantCulture, $"Resize(size={Size}, interpolation={Interpolation.ToString().ToLowerInvariant()})");
}

/// <summary>torchvision's <c>CenterCrop</c>: the middle <see cref="Size"/> x <see cref="Size"/> window (offsets rounded half to even).</summary>
/// <param name="Size">Output side.</param>
public sealed record CenterCrop(int Size) : IImageTransform
{
    /// <inheritdoc/>
    public PixelImage Apply(PixelImage image, Random random)
    {
        var (top, left) = Preprocessing.CenterOffsets(image.Width, image.Height, Size);
        return ImageOps.Crop(image, (int)top, (int)left, Size, Size);
    }

    /// <inheritdoc/>
    public (int Width, int Height) OutputSize(int width, int height) => (Size, Size);

    /// <inheritdoc/>
    public string Description => string.Create(CultureInfo.InvariantCulture, $"CenterCrop(size=({Size}, {Size}))");
}

/// <summary>torchvision's <c>Grayscale(1)</c> on a PIL image: RGB to PIL's "L" luminance (<see cref="Preprocessing.ToLuminance"/>); a grey image stays as it is.</summary>
public sealed record Grayscale : IImageTransform
{
    /// <inheritdoc/>
    public PixelImage Apply(PixelImage image, Random random) =>
        image.Channels == 1 ? image : new PixelImage(image.Width, image.Height, Preprocessing.ToLuminance(image), 1);

    /// <inheritdoc/>
    public (int Width, int Height) OutputSize(int width, int height) => (width, height);

    /// <inheritdoc/>
    public string Description => "Grayscale(num_output_channels=1)";
}

/// <summary>Pixel operations on <see cref="PixelImage"/> used by the transforms (any channel count).</summary>
public static class ImageOps
{
    /// <summary>The <paramref name="height"/> x <paramref name="width"/> region at (<paramref name="top"/>, <paramref name="left"/>).</summary>
    public static PixelImage Crop(PixelImage image, int top, int left, int height, int width)
    {
        if (top < 0 || left < 0 || height < 1 || width < 1 || top + height > image.Height || left + width > image.Width)
            throw new ArgumentOutOfRangeException(nameof(top), $"Crop {width}x{height} at ({left}, {top}) is outside the {image.Width}x{image.Height} image.");
        int c = image.Channels;
        var pixels = new byte[(long)c * width * height];
        for (int y = 0; y < height; y++)
            Array.Copy(image.Pixels, (long)c * ((top + y) * (long)image.Width + left), pixels, (long)c * y * width, (long)c * width);
        return new PixelImage(width, height, pixels, c);
    }

    /// <summary>The mirror image (left and right swapped).</summary>
    public static PixelImage FlipHorizontal(PixelImage image)
    {
        int w = image.Width, c = image.Channels;
        var pixels = new byte[image.Pixels.Length];
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < w; x++)
                Array.Copy(image.Pixels, (long)c * (y * (long)w + x), pixels, (long)c * (y * (long)w + w - 1 - x), c);
        return new PixelImage(w, image.Height, pixels, c);
    }
}

/// <summary>
/// A whole image transform, as timm's <c>create_transform</c> returns it (torchvision's <c>Compose</c>): the steps on the
/// 8-bit image, then <c>ToTensor</c> and <c>Normalize</c> to float [C, H, W] with C = the number of means. One vocabulary and
/// one description grammar for every data set: <see cref="Train"/> is timm's <c>transforms_imagenet_train</c>,
/// <see cref="Eval"/> its evaluation transform from a checkpoint's preprocessing, and any list of steps is another. Two
/// transforms are equal when their steps, means and stds are (what a resumed training run checks).
/// </summary>
public sealed class ImageTransform : IEquatable<ImageTransform>
{
    /// <summary>The steps, then normalisation with one mean and std per output channel.</summary>
    /// <param name="steps">What happens to the 8-bit image, in order.</param>
    /// <param name="mean">Per-channel mean of pixels scaled to 0..1.</param>
    /// <param name="std">Per-channel standard deviation of pixels scaled to 0..1; positive.</param>
    [JsonConstructor]
    public ImageTransform(IReadOnlyList<IImageTransform> steps, float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length) throw new ArgumentException($"Normalisation needs one mean and one std per channel (got {mean.Length} and {std.Length}).");
        if (mean.Any(m => !float.IsFinite(m)) || std.Any(s => !(s > 0) || !float.IsFinite(s))) throw new ArgumentException("Means must be finite and stds positive and finite.");
        if (steps.Any(s => s is null)) throw new ArgumentException("A transform step is null.");
        Steps = [.. steps]; Mean = [.. mean]; Std = [.. std];
    }

    /// <summary>Normalisation only (no steps): <c>ToTensor(), Normalize(mean, std)</c>.</summary>
    public static ImageTransform Normalize(float[] mean, float[] std) => new([], mean, std);

    /// <summary>The steps before normalisation.</summary>
    public IReadOnlyList<IImageTransform> Steps { get; }
    /// <summary>Per-channel mean of pixels scaled to 0..1.</summary>
    public float[] Mean { get; }
    /// <summary>Per-channel std of pixels scaled to 0..1.</summary>
    public float[] Std { get; }
    /// <summary>Output channels: one per mean.</summary>
    [JsonIgnore]
    public int Channels => Mean.Length;

    /// <summary>The same normalisation after other steps (no steps: the evaluation form of an in-memory data set).</summary>
    public ImageTransform WithSteps(params IImageTransform[] steps) => new(steps, Mean, Std);

    /// <summary>
    /// timm's training transform (<c>transforms_imagenet_train</c>): <see cref="RandomResizedCrop"/> to the model's size
    /// (scale <paramref name="minScale"/>-1, ratio 3/4-4/3), <see cref="RandomHorizontalFlip"/>, optionally
    /// <see cref="TrivialAugmentWide"/>, then the model's mean and std (from its preprocessing, as timm takes them from
    /// <c>pretrained_cfg</c>); grey models see the luminance of the augmented image (<see cref="Grayscale"/> last).
    /// </summary>
    public static ImageTransform Train(PreprocessConfig preprocessing, double minScale = 0.08, double horizontalFlip = 0.5, bool trivialAugment = true)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        var steps = new List<IImageTransform> { new RandomResizedCrop(preprocessing.Size, minScale) };
        if (horizontalFlip > 0) steps.Add(new RandomHorizontalFlip(horizontalFlip));
        if (trivialAugment) steps.Add(new TrivialAugmentWide());
        if (preprocessing.Channels == 1) steps.Add(new Grayscale());
        return new ImageTransform(steps, preprocessing.Mean, preprocessing.Std);
    }

    /// <summary>
    /// The evaluation transform of a model's preprocessing (timm's <c>transforms_imagenet_eval</c>): grey models first take
    /// the luminance, then <see cref="Resize"/> the short side to <see cref="PreprocessConfig.ScaleSize"/>,
    /// <see cref="CenterCrop"/> to <see cref="PreprocessConfig.Size"/>, and normalise.
    /// </summary>
    public static ImageTransform Eval(PreprocessConfig preprocessing)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        string? problem = preprocessing.Problems().FirstOrDefault();
        if (problem is not null) throw new ArgumentException(problem, nameof(preprocessing));
        var steps = new List<IImageTransform>();
        if (preprocessing.Channels == 1) steps.Add(new Grayscale());
        steps.Add(new Resize(preprocessing.ScaleSize, preprocessing.Interpolation));
        steps.Add(new CenterCrop(preprocessing.Size));
        return new ImageTransform(steps, preprocessing.Mean, preprocessing.Std);
    }

    /// <summary>The size of the output for a <paramref name="width"/> x <paramref name="height"/> input.</summary>
    public (int Width, int Height) OutputSize(int width, int height)
    {
        foreach (var step in Steps) (width, height) = step.OutputSize(width, height);
        return (width, height);
    }

    /// <summary>
    /// The steps only: the 8-bit image the model sees, before normalisation (for display). A <see cref="Resize"/> followed
    /// by a <see cref="CenterCrop"/> computes only the crop's pixels, so the cost is bounded by the output, not the input's
    /// aspect ratio; the numbers are those of resizing everything and cropping afterwards.
    /// </summary>
    public PixelImage ApplySteps(PixelImage image, Random random)
    {
        ArgumentNullException.ThrowIfNull(image);
        for (int i = 0; i < Steps.Count; i++)
        {
            if (Steps[i] is Resize resize && i + 1 < Steps.Count && Steps[i + 1] is CenterCrop crop)
            {
                image = Preprocessing.ResizeAndCrop(image, resize.Size, crop.Size, resize.Interpolation);
                i++;
                continue;
            }
            image = Steps[i].Apply(image, random);
        }
        return image;
    }

    /// <summary>The model input for one image: [Channels, H, W] floats, row-major. <paramref name="random"/> feeds the random steps.</summary>
    public float[] Apply(PixelImage image, Random random) => ToTensorAndNormalize(ApplySteps(image, random));

    /// <summary>torchvision's <c>ToTensor</c> and <c>Normalize</c>: (pixel / 255 - mean) / std, channel-major. The image must have <see cref="Channels"/> channels.</summary>
    public float[] ToTensorAndNormalize(PixelImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Channels != Channels)
            throw new ArgumentException($"The transform's steps left an image of {image.Channels} channel(s); its normalisation has {Channels} (add Grayscale for a grey model).");
        int plane = image.Width * image.Height, c = Channels;
        var output = new float[(long)c * plane];
        var source = image.Pixels;
        for (int ch = 0; ch < c; ch++)
        {
            float scale = 1f / (255f * Std[ch]), offset = -Mean[ch] / Std[ch];
            for (int i = 0; i < plane; i++) output[ch * plane + i] = source[i * c + ch] * scale + offset;
        }
        return output;
    }

    /// <summary>torchvision's <c>Compose</c> repr in one line: every step, then <c>ToTensor()</c> and <c>Normalize(mean=[...], std=[...])</c> with round-trip numbers.</summary>
    [JsonIgnore]
    public string Description
    {
        get
        {
            static string List(IEnumerable<float> values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
            return string.Join(", ", Steps.Select(s => s.Description).Append("ToTensor()").Append($"Normalize(mean=[{List(Mean)}], std=[{List(Std)}])"));
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Description;

    /// <summary>Equal steps (record equality, in order) and equal means and stds.</summary>
    public bool Equals(ImageTransform? other) =>
        other is not null && Steps.SequenceEqual(other.Steps) && Mean.AsSpan().SequenceEqual(other.Mean) && Std.AsSpan().SequenceEqual(other.Std);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ImageTransform);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Steps.Count, Steps.FirstOrDefault(), Mean.Length, Mean[0], Std[0]);

    /// <summary>Value equality.</summary>
    public static bool operator ==(ImageTransform? left, ImageTransform? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(ImageTransform? left, ImageTransform? right) => !(left == right);
}
