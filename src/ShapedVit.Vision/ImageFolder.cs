using System.Collections.Concurrent;
using ShapedVit.Data;
using TorchSharp;

namespace ShapedVit.Vision;

/// <summary>What an <see cref="ImageFolder"/> does with a file that cannot be decoded.</summary>
public enum BadImagePolicy
{
    /// <summary>Throw an <see cref="ImageDecodeException"/> naming the file (the default: a data set should not silently shrink).</summary>
    Fail,
    /// <summary>Leave the image out of its batch, report it once (one line with its path) and count it.</summary>
    Skip,
}

/// <summary>
/// torchvision's <c>ImageFolder</c>: <c>root/class_name/**/image.ext</c>, one class per subfolder, class names sorted as
/// Python sorts <c>str</c> (by Unicode code point), labels their indices, the files of a class found by a sorted recursive
/// walk (torchvision's <c>make_dataset</c>), with JPEG, PNG and WebP (and the other extensions torchvision accepts that
/// Skia decodes: BMP, GIF). Only the file list is read up front: images are decoded and transformed while batches are
/// requested, on background threads (<see cref="Workers"/>), at most <see cref="PrefetchBatches"/> batches ahead, so memory
/// stays bounded by the batch size whatever the folder's size.
/// </summary>
/// <remarks>
/// Symbolic links are followed, as torchvision's <c>os.walk(followlinks=True)</c> does, but without its cycles and
/// repeats: within a class every real folder is walked once (a link to <c>.</c>, to a parent or to a folder already
/// walked adds nothing), the root and the other classes' folders are never entered from a class, and each file (by its
/// device and inode, so also hard links) is listed once per class. A name that is not valid UTF-8, which .NET cannot
/// open by name, is refused when the folder is listed, with a one-line error naming it, before any run starts.
/// </remarks>
public sealed class ImageFolder : IImageDataset
{
    /// <summary>The file extensions taken (compared case-insensitively, as torchvision's <c>has_file_allowed_extension</c>).</summary>
    public static readonly IReadOnlyList<string> Extensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"];

    private readonly (string Path, int Label)[] samples;
    private readonly BadState bad;
    private long decoded;

    /// <summary>Lists the classes and files under <paramref name="root"/> (nothing is decoded yet).</summary>
    /// <param name="root">The folder with one subfolder per class.</param>
    /// <param name="transform">What each image goes through; null: <see cref="ImageTransform.Eval"/> of ImageNet's 224 preprocessing.</param>
    /// <param name="onBadImage">Fail (default) or skip and report files that do not decode.</param>
    /// <param name="log">Where skipped files are reported, one line each (null: standard error).</param>
    /// <param name="workers">Decoding threads (default: the processor count).</param>
    /// <param name="prefetchBatches">Batches prepared ahead of the consumer (at least 1).</param>
    public ImageFolder(string root, ImageTransform? transform = null, BadImagePolicy onBadImage = BadImagePolicy.Fail, TextWriter? log = null,
                       int workers = 0, int prefetchBatches = 2)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{root}: no such folder.");
        ArgumentOutOfRangeException.ThrowIfLessThan(prefetchBatches, 1);
        Root = root;
        var classFolders = Directory.GetDirectories(root).ToList();
        foreach (string folder in classFolders) RefuseUnreadableName(root, folder);
        classFolders.Sort(CodePointComparer.Instance);
        var classes = classFolders.Select(f => Path.GetFileName(f)!).ToList();
        if (classes.Count == 0) throw new FileNotFoundException($"{root}: no class folders (expected root/class_name/image files).");
        // The folders a class's walk never enters: the root and every class folder (its own is where it starts).
        var closed = new HashSet<FileIdentity> { FileIdentity.Of(root) ?? throw new DirectoryNotFoundException($"{root}: cannot be read.") };
        foreach (string folder in classFolders) if (FileIdentity.Of(folder) is { } id) closed.Add(id);
        var list = new List<(string, int)>();
        var empty = new List<string>();
        for (int label = 0; label < classes.Count; label++)
        {
            int before = list.Count;
            foreach (string file in Walk(root, classFolders[label], closed)) list.Add((file, label));
            if (list.Count == before) empty.Add(classes[label]);
        }
        if (empty.Count > 0)
            throw new FileNotFoundException($"{root}: no image files ({string.Join(", ", Extensions)}) for the class(es) {string.Join(", ", empty.Take(10))}{(empty.Count > 10 ? $" and {empty.Count - 10} more" : "")}.");
        samples = list.ToArray();
        ClassNames = classes;
        Transform = transform ?? ImageTransform.Eval(Checkpoints.PreprocessConfig.ImageNet());
        OnBadImage = onBadImage;
        bad = new BadState(log);
        Workers = workers > 0 ? workers : Environment.ProcessorCount;
        PrefetchBatches = prefetchBatches;
    }

    private ImageFolder(ImageFolder source, (string, int)[] samples, ImageTransform transform)
    {
        Root = source.Root; ClassNames = source.ClassNames; OnBadImage = source.OnBadImage; bad = source.bad;
        Workers = source.Workers; PrefetchBatches = source.PrefetchBatches;
        this.samples = samples; Transform = transform;
    }

    /// <summary>The folder.</summary>
    public string Root { get; }
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; }
    /// <inheritdoc/>
    public int Count => samples.Length;
    /// <summary>The files and their labels, in torchvision's order (class by class, sorted walk).</summary>
    public IReadOnlyList<(string Path, int Label)> Samples => samples;
    /// <inheritdoc/>
    public ImageTransform Transform { get; }
    /// <summary>Fail or skip on files that do not decode.</summary>
    public BadImagePolicy OnBadImage { get; }
    /// <summary>Decoding threads.</summary>
    public int Workers { get; }
    /// <summary>Batches prepared ahead.</summary>
    public int PrefetchBatches { get; }
    /// <summary>Images decoded so far by this data set (and the subsets sharing its files), for checking that decoding streams.</summary>
    public long DecodedImages => Interlocked.Read(ref decoded);
    /// <summary>The files skipped so far as undecodable (shared with subsets made from this one), each once.</summary>
    public IReadOnlyCollection<string> BadFiles => bad.Files;
    /// <summary>How many distinct files were skipped.</summary>
    public int BadImageCount => bad.Files.Count;

    /// <inheritdoc/>
    public int LabelOf(int index) => samples[index].Label;

    /// <summary>The same files with another transform (for example the training one for the training split).</summary>
    public ImageFolder WithTransform(ImageTransform transform) => new(this, samples, transform);

    /// <summary>The files at <paramref name="indices"/>, in that order.</summary>
    public ImageFolder Subset(IEnumerable<int> indices) => new(this, indices.Select(i => samples[i]).ToArray(), Transform);

    /// <summary>
    /// A deterministic split by <paramref name="seed"/>, stratified: in each class the files are shuffled (Fisher-Yates with
    /// <c>new Random(seed)</c>, classes in label order) and the first round(n x <paramref name="validationFraction"/>) go to
    /// validation, so every class keeps its share. Both halves keep folder order within themselves.
    /// </summary>
    public (ImageFolder Train, ImageFolder Validation) Split(double validationFraction, int seed)
    {
        if (!(validationFraction >= 0 && validationFraction < 1)) throw new ArgumentOutOfRangeException(nameof(validationFraction), "The validation share must be in [0, 1).");
        var random = new Random(seed);
        var validation = new HashSet<int>();
        foreach (var group in Enumerable.Range(0, samples.Length).GroupBy(i => samples[i].Label).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            for (int i = members.Length - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (members[i], members[j]) = (members[j], members[i]);
            }
            int take = (int)Math.Round(members.Length * validationFraction, MidpointRounding.ToEven);
            foreach (int index in members.Take(take)) validation.Add(index);
        }
        var all = Enumerable.Range(0, samples.Length);
        return (Subset(all.Where(i => !validation.Contains(i))), Subset(all.Where(validation.Contains)));
    }

    /// <summary>Decodes and transforms one image (image <paramref name="position"/> of a request seeded with <paramref name="seed"/>).</summary>
    public float[] Load(int index, int seed, int position) => LoadShaped(index, seed, position).Values;

    private (float[] Values, int Width, int Height) LoadShaped(int index, int seed, int position)
    {
        // The decoded pixels count against the process's decode budget until the transform has made its (small) output.
        var result = ImageDecoder.DecodeThen(samples[index].Path, image =>
        {
            var (width, height) = Transform.OutputSize(image.Width, image.Height);
            return (Transform.Apply(image, new Random(ImageSeeds.For(seed, position))), width, height);
        });
        Interlocked.Increment(ref decoded);
        return result;
    }

    /// <inheritdoc/>
    public IEnumerable<ImageBatch> Batches(IReadOnlyList<int> indices, int batchSize, int seed, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int batches = (indices.Count + batchSize - 1) / batchSize;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var queue = new BlockingCollection<Prepared>(PrefetchBatches);
        var producer = Task.Run(() =>
        {
            try
            {
                for (int b = 0; b < batches && !stop.IsCancellationRequested; b++)
                    queue.Add(Prepare(indices, b * batchSize, Math.Min(batchSize, indices.Count - b * batchSize), seed, stop.Token), stop.Token);
            }
            catch (OperationCanceledException) { }
            catch (Exception e)
            {
                // Handed to the consumer; if it has stopped consuming (cancelled), nobody needs it and the add must not block.
                try { queue.Add(new Prepared(null, null, null, 0, 0, e), stop.Token); }
                catch (OperationCanceledException) { }
                catch (InvalidOperationException) { }
            }
            finally { queue.CompleteAdding(); }
        });
        try
        {
            foreach (var prepared in queue.GetConsumingEnumerable(stop.Token))
            {
                if (prepared.Error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(prepared.Error);
                int count = prepared.Indices!.Length;
                if (count == 0) continue;
                yield return new ImageBatch(torch.tensor(prepared.Pixels!, [count, Transform.Channels, prepared.Height, prepared.Width]),
                                            torch.tensor(prepared.Labels!), prepared.Indices);
            }
        }
        finally
        {
            stop.Cancel();
            try { producer.Wait(); } catch (AggregateException) { }
        }
    }

    private Prepared Prepare(IReadOnlyList<int> indices, int start, int count, int seed, CancellationToken cancellation)
    {
        var images = new (float[] Values, int Width, int Height)[count];
        var errors = new ImageDecodeException?[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Workers, CancellationToken = cancellation }, b =>
        {
            try { images[b] = LoadShaped(indices[start + b], seed, start + b); }
            catch (ImageDecodeException e) { errors[b] = e; }
        });
        var kept = new List<int>(count);
        for (int b = 0; b < count; b++)
        {
            if (errors[b] is null) { kept.Add(b); continue; }
            if (OnBadImage == BadImagePolicy.Fail) throw errors[b]!;
            bad.Report(samples[indices[start + b]].Path, errors[b]!.Message);
        }
        int width = kept.Count > 0 ? images[kept[0]].Width : 0, height = kept.Count > 0 ? images[kept[0]].Height : 0;
        foreach (int b in kept)
            if ((images[b].Width, images[b].Height) != (width, height))
                throw new InvalidOperationException($"{samples[indices[start + b]].Path}: the transform made a {images[b].Width}x{images[b].Height} image and {width}x{height} for others in its batch: end the transform with a fixed-size step (CenterCrop, RandomResizedCrop).");
        int length = Transform.Channels * width * height;
        var pixels = new float[(long)kept.Count * length];
        var labels = new long[kept.Count];
        var which = new int[kept.Count];
        for (int k = 0; k < kept.Count; k++)
        {
            int b = kept[k];
            images[b].Values.CopyTo(pixels, (long)k * length);
            which[k] = indices[start + b];
            labels[k] = samples[which[k]].Label;
        }
        return new Prepared(pixels, labels, which, width, height, null);
    }

    /// <summary>
    /// The image files of one class: torchvision's <c>sorted(os.walk(dir, followlinks=True))</c> with each folder's files
    /// sorted (folders in path order, by code point), except that a real folder is walked once, the folders in
    /// <paramref name="closed"/> (the root, the other classes) are not entered, and a file reached twice (by a link or a hard
    /// link) is listed once. Cost: one directory listing per real folder and one stat per entry, so linear in the folder.
    /// </summary>
    private static List<string> Walk(string root, string classFolder, HashSet<FileIdentity> closed)
    {
        var folders = new List<string> { classFolder };
        var walked = new HashSet<FileIdentity>();
        if (FileIdentity.Of(classFolder) is { } start) walked.Add(start);
        var pending = new Stack<string>();
        pending.Push(classFolder);
        while (pending.Count > 0)
            foreach (string sub in Directory.GetDirectories(pending.Pop()))
            {
                RefuseUnreadableName(root, sub);
                // A folder that cannot be identified (a link into a loop, gone meanwhile) has nothing to walk.
                if (FileIdentity.Of(sub) is not { } id || closed.Contains(id) || !walked.Add(id)) continue;
                folders.Add(sub);
                pending.Push(sub);
            }
        folders.Sort(CodePointComparer.Instance);
        var files = new List<string>();
        var listed = new HashSet<FileIdentity>();
        foreach (string folder in folders)
        {
            var names = Directory.GetFiles(folder);
            Array.Sort(names, CodePointComparer.Instance);
            foreach (string file in names)
            {
                if (!Extensions.Any(e => file.EndsWith(e, StringComparison.OrdinalIgnoreCase))) continue;
                RefuseUnreadableName(root, file);
                // A link to a missing file keeps its place (decoding reports it); a file seen before is not listed again.
                if (FileIdentity.Of(file) is { } id && !listed.Add(id)) continue;
                files.Add(file);
            }
        }
        return files;
    }

    /// <summary>
    /// .NET reads a file name as UTF-8 and replaces bytes that are not with U+FFFD, so such a name cannot be opened again:
    /// refused here, when the folder is listed, rather than reported missing in the middle of a run.
    /// </summary>
    private static void RefuseUnreadableName(string root, string path)
    {
        if (!path.Contains('\uFFFD') || File.Exists(path) || Directory.Exists(path)) return;
        throw new IOException($"{root}: the name of {path} is not valid UTF-8 (shown with U+FFFD) and cannot be opened: rename it (for example with convmv) or move it out of the folder.");
    }

    private sealed record Prepared(float[]? Pixels, long[]? Labels, int[]? Indices, int Width, int Height, Exception? Error);

    private sealed class BadState(TextWriter? log)
    {
        private readonly ConcurrentDictionary<string, byte> files = new(StringComparer.Ordinal);
        public IReadOnlyCollection<string> Files => (IReadOnlyCollection<string>)files.Keys;

        public void Report(string path, string message)
        {
            if (!files.TryAdd(path, 0)) return;
            var writer = log ?? Console.Error;
            lock (writer) writer.WriteLine($"skipped: {message.Replace('\n', ' ')}");
        }
    }
}

/// <summary>Orders strings as Python orders <c>str</c>: by Unicode code point (UTF-16 ordinal order differs above U+FFFF).</summary>
internal sealed class CodePointComparer : IComparer<string>
{
    /// <summary>The comparer.</summary>
    public static readonly CodePointComparer Instance = new();

    /// <inheritdoc/>
    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var a = x.EnumerateRunes().GetEnumerator();
        var b = y.EnumerateRunes().GetEnumerator();
        while (true)
        {
            bool moreA = a.MoveNext(), moreB = b.MoveNext();
            if (!moreA || !moreB) return moreA ? 1 : moreB ? -1 : 0;
            int c = a.Current.Value.CompareTo(b.Current.Value);
            if (c != 0) return c;
        }
    }
}
