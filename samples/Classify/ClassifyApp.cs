using ShapedVit.Inference;
using ShapedVit.Data;
using ShapedVit.Samples.Shared;
using System.Globalization;
using ShapedVit.Checkpoints;
using ShapedVit.IO;
using ShapedVit.Onnx;
using ShapedVit.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Samples.Classify;

/// <summary>Classifies images with a checkpointed model: top-k labels with probabilities, optionally an attention-rollout heat map.</summary>
/// <param name="options">What to classify and with which model.</param>
/// <param name="output">The classes, one block per image.</param>
/// <param name="error">Errors, notes and the download progress.</param>
/// <param name="catalogue">The models a checkpoint can be loaded into (default: <see cref="ModelCatalog.BuiltIn"/>).</param>
/// <param name="pretrained">The models pretrained weights can be loaded into (default: <see cref="PretrainedCatalogues.Default"/>: the samples' models, then timm's catalogue).</param>
/// <param name="environment">The environment huggingface_hub's variables are read from (default: the process's).</param>
public sealed class ClassifyApp(ClassifyOptions options, TextWriter output, TextWriter error, ModelCatalog? catalogue = null,
                                IPretrainedCatalogue? pretrained = null, Func<string, string?>? environment = null)
{
    private readonly ModelCatalog catalogue = catalogue ?? ModelCatalog.BuiltIn;
    private readonly IPretrainedCatalogue pretrainedCatalogue = pretrained ?? PretrainedCatalogues.Default;
    private readonly Func<string, string?> environment = environment ?? Environment.GetEnvironmentVariable;

    public int Run()
    {
        KnownModel known;
        IReadOnlyList<string> labels;
        PreprocessConfig preprocessing;
        nn.Module<Tensor, Tensor> model;
        Device device;
        try
        {
            if (options.Pretrained)
            {
                (model, labels, preprocessing, var pretrainedMetadata) = LoadPretrained();
                if (options.ExportOnnxPath is not null)
                {
                    using (model) return ExportOnnx(model, pretrainedMetadata);
                }
                device = Shared.SampleCommandLine.ResolveDevice(options.Device, error, out _);
                model.to(device).eval();
                FrozenWeights.Freeze(model); // loaded once, never written: the CPU copies need no check before each batch
                return ClassifyAll(model, labels, preprocessing, device);
            }
            if (!File.Exists(options.Checkpoint))
                throw new FileNotFoundException(MissingCheckpoint(options.Checkpoint));
            // The header only; its labels are checked against the file's own classifier tensor, so the model built below has
            // no more classes than the file really holds weights for.
            var metadata = CheckpointMetadata.Read(options.Checkpoint);
            known = catalogue.Find(options.Model, metadata) ?? throw UnknownModel(metadata);
            preprocessing = ResolvePreprocessing(metadata.Preprocessing ?? known.Preprocessing);
            model = known.Create();
            model.LoadSafetensors(options.Checkpoint);
            labels = LoadLabels(metadata.Labels ?? known.Labels, metadata.Labels is null ? $"the catalogue's labels of {known.Name}" : $"metadata '{CheckpointMetadataKeys.Labels}'",
                                OutputClasses(model, preprocessing), options.Checkpoint);
            if (options.ExportOnnxPath is not null)
            {
                using (model) return ExportOnnx(model, metadata with { ModelName = metadata.ModelName ?? known.Name, Labels = labels, Preprocessing = preprocessing });
            }
            device = Shared.SampleCommandLine.ResolveDevice(options.Device, error, out _);
            model.to(device).eval();
            FrozenWeights.Freeze(model);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or Hub.HubException)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
        return ClassifyAll(model, labels, preprocessing, device);
    }

    /// <summary>
    /// <c>--model NAME</c> without <c>--checkpoint</c>: the repo's config.json and safetensors from the Hub (or the cache),
    /// the catalogue's model of its architecture with the repo's class count, loaded strictly; the repo's label_names and
    /// pretrained_cfg preprocessing.
    /// </summary>
    private (nn.Module<Tensor, Tensor> Model, IReadOnlyList<string> Labels, PreprocessConfig Preprocessing, CheckpointMetadata Metadata) LoadPretrained()
    {
        var files = PretrainedWeights.Fetch(options.Model!, pretrainedCatalogue, options.Offline, environment, error);
        string repo = files.Files.Weights.RepoId;
        if (files.NumClasses is not ({ } classes and > 0))
            throw new ArgumentException($"{repo} has no classifier head (its config.json states no classes): fine-tune it with finetune DATA_DIR --model {options.Model}.");
        var name = pretrainedCatalogue.ModelName(files.Architecture)
            ?? throw new ArgumentException($"{repo} holds {files.Architecture}, which this tool does not build (known: {string.Join(", ", pretrainedCatalogue.Architectures)}).");
        var model = pretrainedCatalogue.Create(files.Architecture, classes, 0);
        try
        {
            ShapedVit.Models.Timm.LoadWeights(model, files.Files);
            var preprocessing = ResolvePreprocessing(files.Preprocessing
                ?? throw new ArgumentException($"{repo}: neither its config.json nor the catalogue states the preprocessing of {files.Architecture}: give --norm imagenet or inception."));
            // The repo's label_names; a 1000-class head without them is ImageNet-1k's, in the shipped list.
            var stored = files.Labels ?? (classes == ModelCatalog.ImageNetLabels.Count ? ModelCatalog.ImageNetLabels : null);
            var labels = LoadLabels(stored, files.Labels is null ? "the shipped ImageNet-1k labels" : "its label_names", OutputClasses(model, preprocessing), repo);
            var metadata = new CheckpointMetadata { ModelName = name, Labels = labels, Preprocessing = preprocessing };
            return (model, labels, preprocessing, metadata);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private int ClassifyAll(nn.Module<Tensor, Tensor> model, IReadOnlyList<string> labels, PreprocessConfig preprocessing, Device device)
    {
        int failures = 0;
        var images = ExpandFolders(options.Images, ref failures);
        using (model)
        {
            for (int i = 0; i < images.Count; i++)
            {
                try
                {
                    ClassifyOne(images[i], i, images.Count, model, labels, preprocessing, device);
                }
                catch (Exception e) when (e is ImageDecodeException or IOException or InvalidDataException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
                {
                    // One line naming the image; the next image is still classified.
                    string path = images[i], message = SampleCommandLine.OneLine(e.Message);
                    error.WriteLine($"error: {(message.StartsWith(path, StringComparison.Ordinal) ? message : $"{path}: {message}")}");
                    failures++;
                }
            }
        }
        return failures > 0 ? 1 : 0;
    }

    /// <summary>
    /// The images to classify: each file as given, and for each folder its JPEG/PNG/WebP files (not its subfolders), in
    /// ordinal name order. A folder without images is one error line and counts as a failure.
    /// </summary>
    private List<string> ExpandFolders(IReadOnlyList<string> paths, ref int failures)
    {
        var images = new List<string>();
        foreach (string path in paths)
        {
            if (!Directory.Exists(path))
            {
                images.Add(path);
                continue;
            }
            int before = images.Count;
            try
            {
                images.AddRange(Directory.EnumerateFiles(path)
                    .Where(file => ImageFolder.Extensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"error: {path}: cannot list the folder: {SampleCommandLine.OneLine(e.Message)}");
                failures++;
                continue;
            }
            if (images.Count == before)
            {
                error.WriteLine($"error: {path}: the folder has no images ({string.Join(", ", ImageFolder.Extensions)}).");
                failures++;
            }
        }
        return images;
    }

    /// <summary>What to do about a checkpoint that is not there: the FashionMnist sample makes the default one.</summary>
    public static string MissingCheckpoint(string path) =>
        path == ClassifyOptions.DefaultCheckpoint
            ? $"checkpoint {path} not found: train the FashionMnist sample first (dotnet run --project samples/FashionMnist -c Release), or give --checkpoint FILE."
            : $"checkpoint {path} not found: check the path (FashionMnist and FineTune write model.safetensors into their --out folder).";

    private void ClassifyOne(string path, int index, int count, nn.Module<Tensor, Tensor> model, IReadOnlyList<string> labels, PreprocessConfig preprocessing, Device device)
    {
        var image = ImageDecoder.Decode(path, options.MaxPixels, options.ApplyExifOrientation, options.MaxDimension);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = Preprocessing.ToTensor(image, preprocessing).to(device);
        Tensor logits;
        Tensor? rollout = null;
        if (options.AttentionPath is not null)
        {
            if (model is not IVisionTransformer vit)
                throw new InvalidOperationException($"{path}: the model has no attention maps to draw.");
            using var intermediates = vit.ForwardWithIntermediates(input, attention: true);
            logits = intermediates.Logits!.detach().clone();
            // The map of the token(s) the head reads: the class token (with DeiT's distillation token), the mean of the patch
            // tokens for mean pooling, the attention pool's weighting; prefix tokens and the grid from the forward itself.
            rollout = AttentionRollout.ComputeFor(intermediates, vit.Spec);
        }
        else
        {
            logits = model.forward(input);
        }
        using (var finite = logits.isfinite().all())
            if (!finite.item<bool>())
                throw new InvalidDataException($"{path}: the model's outputs are not finite numbers (NaN or infinity); the checkpoint's weights may be corrupt.");
        var probabilities = logits.softmax(1)[0].cpu();
        int k = (int)Math.Min(options.Top, probabilities.shape[0]);
        var (values, classes) = probabilities.topk(k);
        var p = values.data<float>().ToArray();
        var c = classes.data<long>().ToArray();
        output.WriteLine($"{path}:");
        for (int j = 0; j < k; j++)
            output.WriteLine($"  {p[j].ToString("0.0000", CultureInfo.InvariantCulture)}  {UntrustedText.Display(labels[(int)c[j]])}");

        if (rollout is not null)
        {
            string target = AttentionTarget(index, count);
            var pixels = Preprocessing.ResizeAndCrop(image, preprocessing);
            var map = rollout[0].cpu().data<float>().ToArray();
            int scale = Math.Max(1, 224 / preprocessing.Size); // small inputs (28 px) are drawn larger
            string what = model is IVisionTransformer { Spec.Pooling: Pooling.Mean } ? "mean of the patch tokens" : "class token";
            var png = HeatMap.RenderPng(pixels, preprocessing.Size, preprocessing.Size, preprocessing.Channels, map,
                                        (int)rollout.shape[1], (int)rollout.shape[2], scale,
                                        caption: $"{UntrustedText.Display(labels[(int)c[0]], 60)} {p[0]:P1} (rollout: {what})");
            WriteAttention(target, png);
            output.WriteLine($"  attention rollout: {target}");
        }
    }

    /// <summary>Writes the model to ONNX with the checkpoint's metadata, its labels and preprocessing as resolved here.</summary>
    private int ExportOnnx(nn.Module<Tensor, Tensor> model, CheckpointMetadata metadata)
    {
        if (model is not IVisionTransformer vit)
        {
            error.WriteLine($"error: {options.Checkpoint} holds a model that is not a generated Vision Transformer; it cannot be exported to ONNX.");
            return 1;
        }
        try
        {
            // A dynamic image size (DINOv2, SigLIP, EVA-02 by their timm names) resamples in the graph: opset 18.
            var exportOptions = new OnnxExportOptions { CheckpointMetadata = metadata, Opset = vit.Spec.DynamicImageSize ? 18 : OnnxExportOptions.MinimumOpset };
            var result = vit.ExportOnnx(options.ExportOnnxPath!, exportOptions);
            output.WriteLine($"wrote {result.Path}: {result.Input} -> {string.Join(", ", result.Outputs.Select(o => $"{o.Name} {o.Shape}"))}");
            return 0;
        }
        catch (OnnxExportException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Writes the heat map; a failure names the user's path (not the temporary file it is written through).</summary>
    private static void WriteAttention(string target, byte[] png)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(target))!;
        if (Directory.Exists(target)) throw new IOException($"{target}: --attention names a folder; give a .png file.");
        if (!Directory.Exists(folder)) throw new IOException($"{target}: cannot write the attention map: no folder {folder}.");
        try
        {
            AtomicFile.Write(target, s => s.Write(png));
        }
        catch (UnauthorizedAccessException) { throw new IOException($"{target}: cannot write the attention map: permission denied."); }
        catch (IOException e) { throw new IOException($"{target}: cannot write the attention map: {SampleCommandLine.OneLine(e.Message)}", e); }
    }

    private string AttentionTarget(int index, int count)
    {
        string path = options.AttentionPath!;
        if (count == 1) return path;
        string ext = Path.GetExtension(path);
        return Path.Combine(Path.GetDirectoryName(path) ?? "", $"{Path.GetFileNameWithoutExtension(path)}-{index}{ext}");
    }

    /// <summary>The checkpoint's preprocessing (else the catalogue's), with the command line's overrides.</summary>
    private PreprocessConfig ResolvePreprocessing(PreprocessConfig config)
    {
        var imageNet = PreprocessConfig.ImageNet(config.Size);
        var inception = PreprocessConfig.Inception(config.Size);
        config = options.Normalization switch
        {
            NormalizationPreset.ImageNet => config with { CropPct = imageNet.CropPct, Mean = Fit(imageNet.Mean, config.Channels), Std = Fit(imageNet.Std, config.Channels) },
            NormalizationPreset.Inception => config with { CropPct = inception.CropPct, Mean = Fit(inception.Mean, config.Channels), Std = Fit(inception.Std, config.Channels) },
            _ => config,
        };
        if (options.CropPct is double crop) config = config with { CropPct = crop };
        if (options.Mean is not null) config = config with { Mean = Fit(options.Mean, config.Channels) };
        if (options.Std is not null) config = config with { Std = Fit(options.Std, config.Channels) };
        string? problem = config.Problems().FirstOrDefault();
        if (problem is not null) throw new ArgumentException($"preprocessing: {problem}");
        return config;
    }

    /// <summary>Per-channel values for a model of <paramref name="channels"/> channels: one value is repeated; three for a grey model are averaged.</summary>
    private static float[] Fit(float[] values, int channels) =>
        values.Length == channels ? values
        : values.Length == 1 ? Enumerable.Repeat(values[0], channels).ToArray()
        : channels == 1 ? [values.Average()]
        : throw new ArgumentException($"{values.Length} normalisation values for a {channels}-channel model.");

    private static int OutputClasses(nn.Module<Tensor, Tensor> model, PreprocessConfig preprocessing)
    {
        if (model is IVisionTransformer vit) return vit.Spec.NumClasses;
        using var noGrad = torch.no_grad();
        using var probe = torch.zeros(1, preprocessing.Channels, preprocessing.Size, preprocessing.Size);
        model.eval();
        using var logits = model.forward(probe);
        return (int)logits.shape[1];
    }

    private CheckpointException UnknownModel(CheckpointMetadata metadata)
    {
        string known = string.Join(", ", catalogue.Models.Select(m => m.Name));
        string detail = options.Model is not null
            ? $"--model {options.Model} is not a model this tool knows (known: {known})."
            : metadata.Architecture is null
                ? $"the file says nothing of its model (no ShapedVit metadata, as public timm/torchvision/Hugging Face files): name it with --model (known: {known})."
                : $"the file holds '{UntrustedText.Display(metadata.Architecture)}', which this tool does not know (known: {known}).";
        return new CheckpointException(CheckpointRule.ArchitectureMismatch, null, detail, options.Checkpoint);
    }

    /// <summary>The class names: --labels, else the checkpoint's or the catalogue's, else "class i"; a count that differs from the head is an error.</summary>
    private IReadOnlyList<string> LoadLabels(IReadOnlyList<string>? stored, string storedSource, int classes, string source)
    {
        IReadOnlyList<string> labels;
        if (options.LabelsFile is not null)
            labels = File.ReadAllLines(options.LabelsFile).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        else if (stored is not null)
            labels = stored;
        else
            labels = Enumerable.Range(0, classes).Select(i => $"class {i}").ToArray();
        if (labels.Count != classes)
            throw new ArgumentException(options.LabelsFile is not null
                ? $"{options.LabelsFile}: {labels.Count} labels for a model of {classes} classes."
                : $"{source}: {storedSource} name {labels.Count} classes, but the model's head has {classes}.");
        return labels;
    }
}
