using ShapedVit.Data;
using ShapedVit.Checkpoints;
using ShapedVit.Testing;
using ShapedVit.Vision;
using SkiaSharp;

namespace ShapedVit.Vision.Tests;

public class ImageFolderTests
{
    private static readonly ImageTransform Identity4 = ImageTransform.Normalize([0f, 0f, 0f], [1f, 1f, 1f]);

    /// <summary>A 4x4 PNG whose red channel is <paramref name="value"/> everywhere.</summary>
    private static void WritePng(string path, byte value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, TestImages.Png(4, 4, (_, _) => new SKColor(value, 0, 0)));
    }

    private static string[] Relative(ImageFolder folder, string root) =>
        folder.Samples.Select(s => Path.GetRelativePath(root, s.Path).Replace('\\', '/')).ToArray();

    [Fact]
    public void Classes_and_files_are_in_torchvisions_order()
    {
        using var dir = new TempDirectory();
        // Python's sorted(): by code point, so "10" < "9" < "B" < "a" < "b" < "é" < U+FF01 < U+1F600 (UTF-16 order would put the emoji first).
        string[] classes = ["b", "B", "a", "\u00e9", "\U0001F600", "\uFF01", "10", "9"];
        foreach (string name in classes) WritePng(Path.Combine(dir.Path, name, "x.png"), 1);
        WritePng(Path.Combine(dir.Path, "a", "b.png"), 2);
        WritePng(Path.Combine(dir.Path, "a", "A.JPG.png"), 3);
        WritePng(Path.Combine(dir.Path, "a", "sub", "c.png"), 4);
        File.Copy(Path.Combine(dir.Path, "a", "b.png"), Path.Combine(dir.Path, "a", "upper.PNG"));
        File.WriteAllText(Path.Combine(dir.Path, "a", "notes.txt"), "not an image");
        var folder = new ImageFolder(dir.Path);
        Assert.Equal(["10", "9", "B", "a", "b", "\u00e9", "\uFF01", "\U0001F600"], folder.ClassNames);
        Assert.Equal(["10/x.png", "9/x.png", "B/x.png", "a/A.JPG.png", "a/b.png", "a/upper.PNG", "a/x.png", "a/sub/c.png", "b/x.png",
                      "\u00e9/x.png", "\uFF01/x.png", "\U0001F600/x.png"], Relative(folder, dir.Path));
        Assert.Equal([0, 1, 2, 3, 3, 3, 3, 3, 4, 5, 6, 7], folder.Samples.Select(s => s.Label));
        Assert.Equal(0, folder.DecodedImages); // listing reads no image
    }

    [Fact]
    public void A_class_without_images_or_a_missing_folder_is_an_error()
    {
        using var dir = new TempDirectory();
        WritePng(Path.Combine(dir.Path, "cat", "1.png"), 1);
        Directory.CreateDirectory(Path.Combine(dir.Path, "dog"));
        var e = Assert.Throws<FileNotFoundException>(() => new ImageFolder(dir.Path));
        Assert.Contains("dog", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => new ImageFolder(Path.Combine(dir.Path, "nothing")));
    }

    private static string Folder(TempDirectory dir, int classes, int perClass)
    {
        for (int c = 0; c < classes; c++)
            for (int i = 0; i < perClass; i++)
                WritePng(Path.Combine(dir.Path, $"class{c:D4}", $"{i}.png"), (byte)(c % 256));
        return dir.Path;
    }

    [Fact]
    public void The_split_is_deterministic_stratified_and_disjoint()
    {
        using var dir = new TempDirectory();
        var folder = new ImageFolder(Folder(dir, 3, 10), Identity4);
        var (train, validation) = folder.Split(0.2, seed: 7);
        var (train2, validation2) = folder.Split(0.2, seed: 7);
        var (_, validation3) = folder.Split(0.2, seed: 8);
        Assert.Equal(validation.Samples, validation2.Samples);
        Assert.Equal(train.Samples, train2.Samples);
        Assert.NotEqual(validation.Samples, validation3.Samples);
        Assert.Equal([2, 2, 2], validation.Samples.GroupBy(s => s.Label).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Equal(24, train.Count);
        Assert.Empty(train.Samples.Intersect(validation.Samples));
        Assert.Equal(folder.Samples.Order(), train.Samples.Concat(validation.Samples).Order());
        Assert.Equal(folder.ClassNames, validation.ClassNames);
    }

    [Fact]
    public void More_than_256_classes_keep_their_int_labels()
    {
        using var dir = new TempDirectory();
        var folder = new ImageFolder(Folder(dir, 300, 1), Identity4, workers: 2);
        Assert.Equal(300, folder.ClassNames.Count);
        Assert.Equal("class0299", folder.ClassNames[299]);
        var labels = new List<long>();
        foreach (var batch in folder.Batches(Enumerable.Range(0, 300).ToArray(), 64, seed: 0))
            using (batch)
            {
                Assert.Equal(TorchSharp.torch.ScalarType.Int64, batch.Labels.dtype);
                Assert.Equal([batch.Count, 3, 4, 4], batch.Images.shape);
                labels.AddRange(batch.Labels.data<long>().ToArray());
            }
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), labels);
    }

    [Fact]
    public void Images_are_decoded_while_batches_are_taken_never_all_up_front()
    {
        using var dir = new TempDirectory();
        var folder = new ImageFolder(Folder(dir, 2, 20), Identity4, workers: 1, prefetchBatches: 1);
        Assert.Equal(0, folder.DecodedImages);
        using (var batches = folder.Batches(Enumerable.Range(0, 40).ToArray(), 2, seed: 0).GetEnumerator())
        {
            Assert.True(batches.MoveNext());
            batches.Current.Dispose();
            // The consumer holds one batch, the queue at most one, the producer blocks with at most one more: 3 batches of 2.
            Assert.InRange(folder.DecodedImages, 2, 6);
        } // disposing the enumeration stops the decoding
        long afterStop = folder.DecodedImages;
        Assert.InRange(afterStop, 2, 6);
        int seen = 0;
        foreach (var batch in folder.Batches(Enumerable.Range(0, 40).ToArray(), 2, seed: 0)) using (batch) seen += batch.Count;
        Assert.Equal(40, seen);
        Assert.Equal(afterStop + 40, folder.DecodedImages);
    }

    [Fact]
    public void Batches_are_the_same_on_one_thread_or_many()
    {
        using var dir = new TempDirectory();
        string root = Folder(dir, 2, 6);
        for (int i = 0; i < 6; i++) // distinct pictures, so a crop or flip shows
            File.WriteAllBytes(Path.Combine(root, "class0000", $"{i}.png"), TestImages.Png(12, 9, (x, y) => new SKColor((byte)(20 * x + i), (byte)(25 * y), (byte)(x * y))));
        var transform = ImageTransform.Train(PreprocessConfig.Inception(4));
        float[] All(int workers)
        {
            var folder = new ImageFolder(root, transform, workers: workers);
            var order = new[] { 5, 0, 11, 3, 7, 1, 2, 9 };
            return folder.Batches(order, 3, seed: 42).SelectMany(b => { using (b) return b.Images.data<float>().ToArray(); }).ToArray();
        }
        Assert.Equal(All(1), All(4));
    }

    [Fact]
    public void A_bad_file_is_fatal_by_default_naming_its_path()
    {
        using var dir = new TempDirectory();
        string root = Folder(dir, 2, 3);
        string broken = Path.Combine(root, "class0001", "1.png");
        File.WriteAllBytes(broken, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var folder = new ImageFolder(root, Identity4);
        var e = Assert.Throws<ImageDecodeException>(() => folder.Batches(Enumerable.Range(0, 6).ToArray(), 4, 0).Select(b => { b.Dispose(); return 0; }).ToList());
        Assert.StartsWith(broken, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Bad_files_skipped_by_choice_are_reported_once_each_and_counted()
    {
        using var dir = new TempDirectory();
        string root = Folder(dir, 2, 3);
        string[] broken = [Path.Combine(root, "class0000", "2.png"), Path.Combine(root, "class0001", "0.png")];
        File.WriteAllBytes(broken[0], []);
        File.WriteAllText(broken[1], "not a png");
        var log = new StringWriter();
        var folder = new ImageFolder(root, Identity4, BadImagePolicy.Skip, log);
        var (train, _) = folder.Split(0, seed: 1);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var batches = train.Batches(Enumerable.Range(0, 6).ToArray(), 4, epoch).ToList();
            Assert.Equal([2, 2], batches.Select(b => b.Count)); // [0 1 (2) (3)] and [4 5]
            Assert.Equal([0, 1, 4, 5], batches.SelectMany(b => b.Indices));
            Assert.Equal([0L, 0, 1, 1], batches.SelectMany(b => b.Labels.data<long>().ToArray()));
            batches.ForEach(b => b.Dispose());
        }
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal(2, folder.BadImageCount);
        Assert.Equal(broken.Order(), folder.BadFiles.Order());
        foreach (string path in broken) Assert.Single(lines, l => l.StartsWith($"skipped: {path}", StringComparison.Ordinal));
    }

    [Fact]
    public void Stopping_early_while_a_bad_file_waits_in_the_pipeline_returns()
    {
        using var dir = new TempDirectory();
        string root = Folder(dir, 1, 12);
        File.WriteAllBytes(Path.Combine(root, "class0000", "5.png"), [1, 2, 3]); // index 7 in sorted order: 0, 1, 10, 11, 2, 3, 4, 5
        var folder = new ImageFolder(root, Identity4, workers: 1, prefetchBatches: 1);
        var order = Enumerable.Range(0, 12).ToArray();
        using (var batches = folder.Batches(order, 2, seed: 0).GetEnumerator())
        {
            Assert.True(batches.MoveNext());
            batches.Current.Dispose();
        } // the producer may be about to hand over the error with the queue full: disposing must still return
        Assert.Throws<ImageDecodeException>(() => folder.Batches(order, 2, seed: 0).Select(b => { b.Dispose(); return 0; }).ToList());
    }
}
