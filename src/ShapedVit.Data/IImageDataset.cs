using static TorchSharp.torch;

namespace ShapedVit.Data;

/// <summary>
/// A labelled image data set with its transform: what torch's <c>Dataset</c> of <c>(image, int label)</c> pairs and a
/// <c>DataLoader</c> give a training loop together. Implemented by the in-memory <c>LabeledImages</c> (ShapedVit.Training)
/// and the streaming <c>ImageFolder</c> (ShapedVit.Vision); the trainer takes any implementation.
/// </summary>
/// <remarks>
/// Randomness (augmentation) must be a pure function of <c>seed</c> and an image's position in the requested order, never of
/// thread timing, so an epoch can be replayed exactly (see <see cref="ImageSeeds"/>).
/// </remarks>
public interface IImageDataset
{
    /// <summary>Number of images.</summary>
    int Count { get; }

    /// <summary>Class names by label (class index).</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// What every image goes through, as a typed pipeline (<see cref="ImageTransform.Description"/> says it in words): the
    /// trainer saves it with its state and refuses to resume with one that is not equal.
    /// </summary>
    ImageTransform Transform { get; }

    /// <summary>The label of image <paramref name="index"/>, in [0, ClassNames.Count).</summary>
    int LabelOf(int index);

    /// <summary>
    /// The images at <paramref name="indices"/>, in that order, in batches of <paramref name="batchSize"/> (the last may be
    /// smaller): images as float32 [B, C, H, W] and labels as int64 [B], on the CPU. The caller disposes each batch.
    /// </summary>
    /// <param name="indices">Which images, in order.</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="seed">Seeds the random transforms; image <c>p</c> of <paramref name="indices"/> draws from
    /// <see cref="ImageSeeds.For"/>(<paramref name="seed"/>, p). Deterministic transforms ignore it.</param>
    /// <param name="cancellation">Stops the enumeration (and any background decoding).</param>
    IEnumerable<ImageBatch> Batches(IReadOnlyList<int> indices, int batchSize, int seed, CancellationToken cancellation = default);
}

/// <summary>One batch: float32 images [B, C, H, W] and int64 labels [B] on the CPU, and which images they are.</summary>
public sealed class ImageBatch : IDisposable
{
    /// <summary>Wraps the tensors (this batch owns them).</summary>
    public ImageBatch(Tensor images, Tensor labels, int[] indices)
    {
        Images = images; Labels = labels; Indices = indices;
    }

    /// <summary>[B, C, H, W] float32.</summary>
    public Tensor Images { get; }
    /// <summary>[B] int64 class indices.</summary>
    public Tensor Labels { get; }
    /// <summary>The data set indices of the batch's images.</summary>
    public int[] Indices { get; }
    /// <summary>B.</summary>
    public int Count => Indices.Length;

    /// <inheritdoc/>
    public void Dispose() { Images.Dispose(); Labels.Dispose(); }
}

/// <summary>Per-image seeds: each image's random transform gets its own generator, so batches can be built on any number of threads with the same result.</summary>
public static class ImageSeeds
{
    /// <summary>The seed of the image at <paramref name="position"/> of an epoch whose seed is <paramref name="seed"/> (a SplitMix64 hash of both).</summary>
    public static int For(int seed, int position)
    {
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)position + 0x632BE59BD9B4E019UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return unchecked((int)((z ^ (z >> 31)) >> 33));
    }

    /// <summary>An epoch's order: a random permutation of 0..<paramref name="count"/>-1 (Fisher-Yates with <paramref name="rng"/>).</summary>
    public static int[] Shuffle(int count, Random rng)
    {
        var order = Enumerable.Range(0, count).ToArray();
        for (int i = count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
