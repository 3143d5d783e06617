using System.Diagnostics;
using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.IO;
using ShapedVit.Samples.Shared;
using ShapedVit.Training;
using ShapedVit.Vision;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Samples.FineTune;

/// <summary>
/// The sample's work: an image folder, a pre-trained checkpoint, a new head sized to the folder's classes, fine-tuning
/// (or a linear probe, or the same architecture from scratch), a report and a checkpoint Classify reads with no other flag.
/// </summary>
/// <param name="options">What to fine-tune on, from what, and how.</param>
/// <param name="output">Progress and the report.</param>
/// <param name="error">Errors, notes and the download progress.</param>
/// <param name="pretrained">The models pretrained weights can be loaded into (default: <see cref="PretrainedCatalogues.Default"/>: the samples' models, then timm's catalogue).</param>
/// <param name="environment">The environment huggingface_hub's variables are read from (default: the process's).</param>
public sealed class FineTuneApp(FineTuneOptions options, TextWriter output, TextWriter error,
                                IPretrainedCatalogue? pretrained = null, Func<string, string?>? environment = null)
{
    private readonly IPretrainedCatalogue pretrainedCatalogue = pretrained ?? PretrainedCatalogues.Default;
    private readonly Func<string, string?> environment = environment ?? Environment.GetEnvironmentVariable;

    public const string ModelFile = "model.safetensors";
    public const string StateFile = "trainer-state.safetensors";
    public const string PlotFile = "training.png";
    public const string ConfusionCsvFile = "confusion.csv";
    public const string ConfusionPlotFile = "confusion.png";

    public string ModelPath => Path.Combine(options.OutputDirectory, ModelFile);
    public string StatePath => Path.Combine(options.OutputDirectory, StateFile);
    public string PlotPath => Path.Combine(options.OutputDirectory, PlotFile);
    public string ConfusionCsvPath => Path.Combine(options.OutputDirectory, ConfusionCsvFile);
    public string ConfusionPlotPath => Path.Combine(options.OutputDirectory, ConfusionPlotFile);

    public int Run()
    {
        try
        {
            return FineTune();
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException or ImageDecodeException or Hub.HubException)
        {
            error.WriteLine($"error: {SampleCommandLine.OneLine(e.Message)}");
            return 1;
        }
    }

    private int FineTune()
    {
        var wall = Stopwatch.StartNew();
        Devices.SetCpuThreads(options.Threads);
        var device = SampleCommandLine.ResolveDevice(options.Device, error, out string deviceReason);

        if (options.Checkpoint is not null && !File.Exists(options.Checkpoint))
            throw new FileNotFoundException(MissingCheckpoint(options.Checkpoint));
        var pretrained = options.Checkpoint is null ? new CheckpointMetadata() : CheckpointMetadata.Read(options.Checkpoint);
        string? pretrainedName = options.Model ?? pretrained.ModelName;
        // --model NAME without --checkpoint: the pretrained weights from the Hub (or huggingface_hub's cache), any
        // architecture the catalogue builds; a checkpoint file: the samples' fine-tuning backbones.
        var hub = options.Pretrained ? PretrainedWeights.Fetch(options.Model!, pretrainedCatalogue, options.Offline, environment, error) : null;
        Backbone backbone;
        if (hub is not null)
        {
            string timmArchitecture = hub.Architecture, repo = hub.Files.Weights.RepoId;
            string name = pretrainedCatalogue.ModelName(timmArchitecture)
                ?? throw new ArgumentException($"{repo} holds {timmArchitecture}, which FineTune does not build (known: {string.Join(", ", pretrainedCatalogue.Architectures)}).");
            var hubPreprocessing = hub.Preprocessing
                ?? throw new ArgumentException($"{repo}: neither its config.json nor the catalogue states the preprocessing of {timmArchitecture}.");
            backbone = new Backbone(name, [timmArchitecture], hubPreprocessing, (n, seed) => pretrainedCatalogue.Create(timmArchitecture, n, seed));
        }
        else
        {
            backbone = Backbone.Find(pretrainedName)
                ?? throw new ArgumentException(pretrainedName is null
                    ? $"{options.Checkpoint} says nothing of its model (no ShapedVit metadata): name it with --model ({Known()})."
                    : $"no backbone takes '{UntrustedText.Display(pretrainedName)}' ({Known()}).");
        }
        var preprocessing = pretrained.Preprocessing ?? backbone.Preprocessing;

        var policy = options.SkipBadImages ? BadImagePolicy.Skip : BadImagePolicy.Fail;
        var folder = new ImageFolder(options.DataDirectory, ImageTransform.Eval(preprocessing), policy, error);
        var (trainImages, validationImages) = folder.Split(options.ValidationFraction, (int)options.Seed);
        if (folder.ClassNames.Count < 2)
            throw new ArgumentException($"{options.DataDirectory} has {ConfusionReport.Plural(folder.ClassNames.Count, "class folder", "class folders")}" +
                                        $"{(folder.ClassNames.Count == 1 ? $" ({folder.ClassNames[0]})" : "")}: a classifier needs at least 2 classes, one subfolder of images each.");
        var recipe = AugmentationRecipe.For(options.Recipe, ImageSample.Of(folder, preprocessing))
                                       .With(options.MinScale, options.CropPadding, options.NoFlip, options.NoTrivialAugment);
        var train = trainImages.WithTransform(recipe.Transform(preprocessing));
        IImageDataset? validation = validationImages.Count > 0 ? validationImages : null;
        var test = options.TestDirectory is null ? null : new ImageFolder(options.TestDirectory, ImageTransform.Eval(preprocessing), policy, error);
        if (test is not null && !test.ClassNames.SequenceEqual(folder.ClassNames))
            throw new ArgumentException($"{options.TestDirectory} has classes {DisplayNames(test.ClassNames)}, {options.DataDirectory} has {DisplayNames(folder.ClassNames)}: use the same class folders.");
        output.WriteLine($"data: {ConfusionReport.Plural(folder.Count, "image", "images")} of {ConfusionReport.Plural(folder.ClassNames.Count, "class", "classes")} in {options.DataDirectory} " +
                         $"({train.Count} training, {validationImages.Count} validation{(test is null ? "" : $", {test.Count} test in {options.TestDirectory}")})");
        output.WriteLine($"device: {deviceReason}; libtorch threads: {torch.get_num_threads()}");
        output.WriteLine(recipe.Describe());

        int classes = folder.ClassNames.Count;
        using var model = backbone.Create(classes, options.Seed);
        string architecture = ModelArchitecture.Describe(backbone.Name, ((IVisionTransformer)model).Spec);
        if (options.FromScratch)
            output.WriteLine($"model: {backbone.Name} with {classes} classes from random weights (the baseline; {pretrainedName}'s architecture)");
        else
        {
            // timm's reset_classifier: the pre-trained head is never kept, also when the class counts happen to match.
            var reset = new CheckpointLoadOptions { Classifier = ClassifierLoading.Reset };
            var loaded = hub is not null ? ShapedVit.Models.Timm.LoadWeights(model, hub.Files, reset) : model.LoadSafetensors(options.Checkpoint!, reset);
            string source = hub is not null ? hub.Files.Weights.RepoId : options.Checkpoint!;
            output.WriteLine($"model: {backbone.Name} with {classes} classes from {source} ({pretrainedName}, {loaded.Naming} naming)");
            string leftOut = loaded.DroppedTensors.Count > 0 ? string.Join(", ", loaded.DroppedTensors) : "none (the checkpoint has no head)";
            output.WriteLine($"  new head: {string.Join(", ", loaded.ReinitializedTensors)}; left out: {leftOut}");
        }

        var trainerOptions = new TrainerOptions
        {
            Epochs = options.Epochs, BatchSize = options.BatchSize, LearningRate = options.LearningRate, MinLearningRate = options.LearningRate / 100,
            WeightDecay = options.WeightDecay, WarmupEpochs = options.WarmupEpochs, LabelSmoothing = options.LabelSmoothing, Seed = options.Seed,
            LinearProbe = options.LinearProbe, LayerDecay = options.LayerDecay,
            Precision = options.BFloat16 ? TrainingPrecision.BFloat16 : TrainingPrecision.Float32,
        };
        if (options.Resume)
        {
            if (!File.Exists(StatePath)) throw new FileNotFoundException($"nothing to resume: {StatePath} is needed.");
            var saved = TrainingCheckpoint.ReadState(StatePath).Options;
            // --bfloat16 asks for a precision: the trainer refuses to resume a run saved in another one, rather than ignore the flag.
            trainerOptions = options.BFloat16 ? saved with { Precision = TrainingPrecision.BFloat16 } : saved;
        }
        using var trainer = new Trainer(model, train, validation, trainerOptions, device, architecture);
        if (options.Resume)
        {
            trainer.LoadCheckpoint(StatePath);
            // The default --epochs must not extend a shorter saved run: only a count the user gave does.
            if (options.EpochsGiven && options.Epochs > trainer.Options.Epochs) trainer.ExtendEpochs(options.Epochs);
            output.WriteLine($"resumed after epoch {trainer.State.CompletedEpochs}, training to epoch {trainer.Options.Epochs}.");
        }
        string mode = options.FromScratch ? "from scratch" : options.LinearProbe ? "linear probe" : options.LayerDecay is double d ? $"fine-tune, layer decay {d}" : "fine-tune";
        if (trainer.Options.Precision == TrainingPrecision.BFloat16) mode += ", bfloat16";
        output.WriteLine($"training ({mode}): {trainer.Options.Epochs} epochs of {trainer.StepsPerEpoch} steps, batch {trainer.Options.BatchSize}, AdamW lr {trainer.Options.LearningRate}, " +
                         $"transform {train.Transform.Description}");

        // Each epoch is evaluated on the validation split; the final report on --test when given.
        const string EvaluatedOn = "validation";
        string reportedOn = test is null ? "validation" : "test";
        string title = $"FineTune: {mode}, {backbone.Name}, {ConfusionReport.Plural(classes, "class", "classes")} ({Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.DataDirectory)))})";
        var metadata = new CheckpointMetadata { ModelName = backbone.Name, Architecture = architecture, Labels = folder.ClassNames, Preprocessing = preprocessing };
        void AfterEpoch()
        {
            trainer.SaveCheckpoint(ModelPath, StatePath, metadata);
            AtomicFile.Write(PlotPath, s => s.Write(TrainingPlot.RenderPng(trainer.State.History, title, EvaluatedOn)));
        }
        TrainingConsole.Train(trainer, AfterEpoch, output, options.Plain, EvaluatedOn);

        var evaluation = test is not null ? trainer.Evaluate(test) : trainer.LastEvaluation ?? trainer.Evaluate(validationImages);
        ConfusionReport.WriteCsv(evaluation, ConfusionCsvPath);
        AtomicFile.Write(ConfusionPlotPath, s => s.Write(ConfusionReport.RenderPng(evaluation, $"{title}: {reportedOn} confusion")));
        ConfusionReport.Print(evaluation, reportedOn, output, options.Plain, $"{ConfusionCsvPath} ({ConfusionReport.CsvContents(evaluation.ClassNames.Count)}), {ConfusionPlotPath}");
        output.WriteLine($"{reportedOn} accuracy {evaluation.Accuracy:P2} ({evaluation.Count} images, {mode}); " +
                         $"{TrainingConsole.Throughput(trainer.State.History)}; this invocation {wall.Elapsed.TotalMinutes:F1} min wall");
        output.WriteLine($"saved {ModelPath} (classify IMAGE --checkpoint {ModelPath}), {StatePath} and {PlotPath}");
        return 0;
    }

    /// <summary>Class (folder) names as they may be printed: escaped, each bounded, at most 20 of them.</summary>
    private static string DisplayNames(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(20).Select(n => UntrustedText.Display(n, 40))) + (names.Count > 20 ? $" and {names.Count - 20} more" : "");

    /// <summary>What to do about a pre-trained checkpoint that is not there: make one, or name a public one.</summary>
    public static string MissingCheckpoint(string path) =>
        $"pre-trained checkpoint {path} not found: pre-train one (dotnet run --project samples/FashionMnist -c Release writes runs/fashion-mnist/model.safetensors) " +
        "or give a timm/torchvision .safetensors file with --model NAME.";

    private static string Known() => "known: " + string.Join(", ", Backbone.All.SelectMany(b => b.Pretrained));

}
