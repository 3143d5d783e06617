using System.Globalization;
using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.Vision;

namespace ShapedVit.Samples.FineTune;

/// <summary>The training augmentations FineTune picks from (<c>--recipe</c>); <see cref="Auto"/> derives one from the images.</summary>
public enum RecipeName
{
    /// <summary><see cref="Photo"/> for colour images of at least <see cref="AugmentationRecipe.PhotoSide"/> pixels, else <see cref="Small"/>.</summary>
    Auto,
    /// <summary>timm's ImageNet recipe: RandomResizedCrop from 8 % of the area, horizontal flip, TrivialAugment.</summary>
    Photo,
    /// <summary>Small or grey images (icons, scans, thumbnails, digits): the whole image (no random crop), no flip, no TrivialAugment.</summary>
    Small,
}

/// <summary>
/// One training augmentation: RandomResizedCrop's smallest area share, a random shift (torchvision's RandomCrop of the
/// model's size from the image padded with <see cref="Padding"/> black pixels on each side), flip, TrivialAugment, and
/// why it was chosen.
/// </summary>
public sealed record AugmentationRecipe(string Name, double MinScale, int Padding, bool Flip, bool TrivialAugment, string Reason)
{
    /// <summary>The shorter side from which images count as photographs: timm's recipe was made for 224 px (ImageNet's images are larger).</summary>
    public const int PhotoSide = 96;

    /// <summary>How many images of the folder are looked at (decoded) to choose: a bounded sample, spread over the classes.</summary>
    public const int SampleSize = 8;

    /// <summary>The named recipe, or for <see cref="RecipeName.Auto"/> the one that fits <paramref name="images"/>.</summary>
    public static AugmentationRecipe For(RecipeName name, ImageSample images) => name switch
    {
        RecipeName.Photo => Photo("--recipe photo"),
        RecipeName.Small => Small("--recipe small"),
        _ when images.Grey => Small($"grey images{images.Describe()}"),
        _ when images.Side < PhotoSide => Small($"small images{images.Describe()}"),
        _ => Photo($"colour images{images.Describe()}"),
    };

    private static AugmentationRecipe Photo(string reason) => new("photo", 0.08, Padding: 0, Flip: true, TrivialAugment: true, reason);

    // Small images are usually framed already (digits, icons, thumbnails): a random crop zooms part of the object away
    // (samples/FineTune/README.md measures crops from 50 %, 75 % and 100 % of the area). TrivialAugment's colour
    // operations do nothing useful on grey images and its geometric ones erase small ones. A mirrored digit, letter or
    // symbol is another class or none, and small grey images are often such; --recipe photo or a flag turns flip back on.
    // No shift (--crop-padding 0): a shift did not beat the whole image on the folders samples/FineTune/README.md measures.
    private static AugmentationRecipe Small(string reason) => new("small", 1.0, Padding: 0, Flip: false, TrivialAugment: false, reason);

    /// <summary>The recipe with the user's flags applied over it.</summary>
    public AugmentationRecipe With(double? minScale, int? padding, bool noFlip, bool noTrivialAugment) => this with
    {
        MinScale = minScale ?? MinScale,
        Padding = padding ?? Padding,
        Flip = Flip && !noFlip,
        TrivialAugment = TrivialAugment && !noTrivialAugment,
    };

    /// <summary>
    /// The training transform: timm's (<see cref="ImageTransform.Train"/>) with this recipe's crop scale, flip and
    /// TrivialAugment, and with a <see cref="Padding"/> &gt; 0 a <see cref="RandomCrop"/> of the model's size from the
    /// padded image right after RandomResizedCrop (a shift of up to <see cref="Padding"/> pixels each way).
    /// </summary>
    public ImageTransform Transform(PreprocessConfig preprocessing)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        if (Padding < 0 || Padding > preprocessing.Size / 2)
            throw new ArgumentException($"--crop-padding {Padding} is outside 0-{preprocessing.Size / 2}: at most half the model's {preprocessing.Size} px input side.");
        var transform = ImageTransform.Train(preprocessing, MinScale, Flip ? 0.5 : 0, TrivialAugment);
        if (Padding == 0) return transform;
        var steps = transform.Steps.ToList();
        steps.Insert(1, new RandomCrop(preprocessing.Size, preprocessing.Size, Padding));
        return transform.WithSteps([.. steps]);
    }

    /// <summary>One line for the console.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"recipe {Name} ({Reason}): RandomResizedCrop scale {MinScale:0.###}-1, shift {(Padding == 0 ? "off" : $"up to {Padding} px (RandomCrop padding {Padding})")}, flip {(Flip ? "on" : "off")}, TrivialAugment {(TrivialAugment ? "on" : "off")}");
}

/// <summary>What a few of a folder's images say of all of them: their median shorter side (capped by the model's input) and whether they are grey.</summary>
/// <param name="Side">The median shorter side of the looked-at images, at most the model's input size.</param>
/// <param name="Grey">The model takes one channel, or every looked-at image has equal red, green and blue.</param>
/// <param name="Looked">How many images were decoded.</param>
public sealed record ImageSample(int Side, bool Grey, int Looked)
{
    /// <summary>Decodes up to <see cref="AugmentationRecipe.SampleSize"/> images spread over <paramref name="folder"/> (unreadable ones are passed over).</summary>
    public static ImageSample Of(ImageFolder folder, PreprocessConfig preprocessing)
    {
        var sides = new List<int>();
        bool grey = true;
        int count = folder.Samples.Count, step = Math.Max(1, count / AugmentationRecipe.SampleSize);
        for (int i = 0; i < count && sides.Count < AugmentationRecipe.SampleSize; i += step)
        {
            PixelImage image;
            try { image = ImageDecoder.Decode(folder.Samples[i].Path); }
            catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException) { continue; }
            sides.Add(Math.Min(image.Width, image.Height));
            grey &= IsGrey(image.Pixels);
        }
        sides.Sort();
        int side = sides.Count == 0 ? preprocessing.Size : Math.Min(sides[sides.Count / 2], preprocessing.Size);
        return new ImageSample(side, preprocessing.Channels == 1 || (sides.Count > 0 && grey), sides.Count);
    }

    private static bool IsGrey(byte[] rgb)
    {
        for (int i = 0; i + 2 < rgb.Length; i += 3)
            if (rgb[i] != rgb[i + 1] || rgb[i] != rgb[i + 2]) return false;
        return true;
    }

    /// <summary>", N px (median of K images)" for the console.</summary>
    public string Describe() => Looked == 0 ? "" : $", {Side} px, {Looked} looked at";
}
