using ShapedVit.Checkpoints;
using ShapedVit.Samples.Shared;
using ShapedVit.IO;
using System.Diagnostics;
using System.Globalization;
using ShapedVit.Data;
using ShapedVit.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Samples.FashionMnist;

/// <summary>The sample's work: load data, train (or resume, or classify), report, plot, save.</summary>
public sealed class FashionMnistApp(FashionMnistOptions options, TextWriter output, TextWriter error)
{
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

    /// <summary>The folder of the slice copied next to the sample's binaries.</summary>
    public static string ShippedSlice => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-slice");

    public int Run()
    {
        try
        {
            return options.Classify > 0 ? Classify() : Train();
        }
        catch (Exception e) when (e is IdxFormatException or IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private int Train()
    {
        var wall = Stopwatch.StartNew();
        Devices.SetCpuThreads(options.Threads);
        var device = SampleCommandLine.ResolveDevice(options.Device, error, out string deviceReason);
        string dataDirectory = options.DataDirectory ?? ShippedSlice;
        var (train, test) = FashionMnistFiles.Load(dataDirectory);
        if (options.Classes is { } classes)
        {
            train = OnlyClasses(train, classes);
            test = OnlyClasses(test, classes);
        }
        if (options.TrainLimit > 0) train = train.Take(options.TrainLimit);
        train = train.WithTransform(TrainTransform(train, options));
        test = test.WithTransform(Normalization);
        output.WriteLine($"data: {train.Count} training and {test.Count} test images from {dataDirectory}");
        output.WriteLine($"device: {deviceReason}; libtorch threads: {torch.get_num_threads()}");
        output.WriteLine($"model: {FashionModel.Architecture}: {FashionVit.ParameterCount:N0} parameters, {FashionVit.Macs / 1e6:F1} M multiply-accumulates per image");

        // A read-only or full --out is found now, not after the first epoch.
        OutputFolder.Check(options.OutputDirectory, OutputFolder.CheckpointBytes(FashionVit.ParameterCount));
        TrainerOptions trainerOptions = FromCommandLine(options);
        bool resuming = false;
        if (options.Resume)
        {
            // The state file alone is the resumable checkpoint (weights, optimizer, schedule); the model file is its export.
            if (!File.Exists(StatePath))
                throw new FileNotFoundException($"nothing to resume: {StatePath} is needed.");
            ModelArchitecture.Require(StatePath, Safetensors.ReadHeader(StatePath).Metadata, FashionModel.Architecture);
            trainerOptions = TrainingCheckpoint.ReadState(StatePath).Options; // the saved run's hyper-parameters, so it continues exactly
            resuming = true;
        }
        else if (File.Exists(ModelPath))
        {
            string found = CheckpointMetadata.Read(ModelPath).Architecture ?? "(unknown)";
            if (found != FashionModel.Architecture && !options.Force)
                throw new CheckpointException(CheckpointRule.ArchitectureMismatch, null,
                    $"the file holds a different architecture ({found}); refusing to overwrite it (use --force, or another --out).", ModelPath);
            output.WriteLine($"note: starting afresh; {ModelPath} will be overwritten (use --resume to continue it).");
        }

        using var model = FashionModel.Create(trainerOptions.Seed);
        using var trainer = new Trainer(model, train, test, trainerOptions, device, FashionModel.Architecture);
        if (resuming)
        {
            trainer.LoadCheckpoint(StatePath);
            int saved = trainer.Options.Epochs;
            // An explicit --epochs beyond the saved run's count trains on (timm's resume with a larger --epochs); the
            // default or a smaller count keeps the saved run as it was.
            if (options.EpochsGiven && options.Epochs > saved) trainer.ExtendEpochs(options.Epochs);
            output.WriteLine($"resumed after epoch {trainer.State.CompletedEpochs} of {saved} (step {trainer.State.Step}), with the saved options" +
                             (trainer.Options.Epochs > saved ? $"; training on to epoch {trainer.Options.Epochs}." : "."));
            if (options.EpochsGiven && options.Epochs < saved)
                output.WriteLine($"note: --epochs {options.Epochs} is below the saved run's {saved}; a run cannot be shortened, so it continues to {saved}.");
        }
        output.WriteLine($"training: {trainer.Options.Epochs} epochs of {trainer.StepsPerEpoch} steps, batch {trainer.Options.BatchSize}, AdamW lr {trainer.Options.LearningRate} wd {trainer.Options.WeightDecay}, " +
                         $"warmup {trainer.Options.WarmupEpochs} epoch(s) + cosine, label smoothing {trainer.Options.LabelSmoothing}, clip {trainer.Options.GradientClipNorm}, " +
                         $"crop padding {options.CropPadding}, flip {options.HorizontalFlip}, " +
                         $"patch dropout {FashionVit.TrainingPatchTokens} of {FashionVit.NumPatches} tokens (all in the last {trainer.Options.FullTokenEpochs} epochs), seed {trainer.Options.Seed}");

        void AfterEpoch()
        {
            trainer.SaveCheckpoint(ModelPath, StatePath, Metadata(trainer));
            AtomicFile.Write(PlotPath, s => s.Write(TrainingPlot.RenderPng(trainer.State.History, "Fashion-MNIST: ViT from scratch", "test")));
        }

        TrainingConsole.Train(trainer, AfterEpoch, output, options.Plain, "test");

        var evaluation = trainer.LastEvaluation ?? trainer.Evaluate(test);
        ConfusionReport.WriteCsv(evaluation, ConfusionCsvPath);
        AtomicFile.Write(ConfusionPlotPath, s => s.Write(ConfusionReport.RenderPng(evaluation, "Fashion-MNIST, ViT from scratch: test confusion")));
        ConfusionReport.Print(evaluation, "test", output, options.Plain, $"{ConfusionCsvPath} ({ConfusionReport.CsvContents(evaluation.ClassNames.Count)}), {ConfusionPlotPath}");
        output.WriteLine($"test accuracy {evaluation.Accuracy:P2} ({evaluation.Count} images); {TrainingConsole.Throughput(trainer.State.History)}; this invocation {wall.Elapsed.TotalMinutes:F1} min wall");
        output.WriteLine($"saved {ModelPath}, {StatePath}, {PlotPath}, {ConfusionCsvPath} and {ConfusionPlotPath}");
        return 0;
    }

    private int Classify()
    {
        if (!File.Exists(ModelPath))
            throw new FileNotFoundException($"no trained model at {ModelPath}: train first (run without --classify).");
        var (_, test) = FashionMnistFiles.Load(options.DataDirectory ?? ShippedSlice);
        var device = SampleCommandLine.ResolveDevice(options.Device, error, out _);
        using var model = FashionModel.Create(0);
        ModelArchitecture.Require(ModelPath, Safetensors.ReadHeader(ModelPath).Metadata, FashionModel.Architecture);
        model.LoadSafetensors(ModelPath);
        model.to(device).eval();
        int count = Math.Min(options.Classify, test.Count);
        var indices = Enumerable.Range(0, count).ToArray();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (images, labels) = test.WithTransform(Normalization).MakeBatch(indices);
        var probabilities = model.forward(images.to(device)).softmax(1).cpu();
        var (top, classes) = probabilities.max(1);
        var p = top.data<float>().ToArray();
        var c = classes.data<long>().ToArray();
        var table = new Table().AddColumns("test image", "true label", "predicted", "probability", "");
        int right = 0;
        for (int i = 0; i < count; i++)
        {
            bool ok = c[i] == test.Labels[i];
            right += ok ? 1 : 0;
            table.AddRow(i.ToString(CultureInfo.InvariantCulture), Markup.Escape(test.ClassNames[test.Labels[i]]), Markup.Escape(test.ClassNames[(int)c[i]]),
                         p[i].ToString("P1", CultureInfo.InvariantCulture), ok ? "ok" : "WRONG");
        }
        TrainingConsole.CreateConsole(output, options.Plain).Write(table);
        output.WriteLine($"{right}/{count} correct with {ModelPath}");
        return 0;
    }

    private static LabeledImages OnlyClasses(LabeledImages data, int[] classes) =>
        data.Select(Enumerable.Range(0, data.Count).Where(i => classes.Contains(data.Labels[i])).ToArray());

    private static ImageTransform Normalization => ImageTransform.Normalize([FashionMnistDataset.Mean], [FashionMnistDataset.Std]);

    /// <summary>The training transform: a random crop of the zero-padded image (same size back) and a flip, as the options ask.</summary>
    private static ImageTransform TrainTransform(LabeledImages data, FashionMnistOptions options)
    {
        var steps = new List<IImageTransform>();
        if (options.CropPadding > 0) steps.Add(new RandomCrop(data.Height, data.Width, options.CropPadding));
        if (options.HorizontalFlip) steps.Add(new RandomHorizontalFlip());
        return Normalization.WithSteps([.. steps]);
    }

    public static TrainerOptions FromCommandLine(FashionMnistOptions o) => new()
    {
        Epochs = o.Epochs,
        BatchSize = o.BatchSize,
        LearningRate = o.LearningRate,
        MinLearningRate = o.LearningRate / 100,
        WeightDecay = o.WeightDecay,
        WarmupEpochs = o.WarmupEpochs,
        LabelSmoothing = o.LabelSmoothing,
        GradientClipNorm = o.GradientClip,
        Seed = o.Seed,
        FullTokenEpochs = o.FullTokenEpochs,
    };

    private static CheckpointMetadata Metadata(Trainer trainer)
    {
        var last = trainer.State.History.LastOrDefault();
        return FashionModel.Metadata with
        {
            Extra = new Dictionary<string, string>
            {
                ["shapedvit.dataset"] = "Fashion-MNIST",
                ["shapedvit.test_accuracy"] = last is null ? "" : last.TestAccuracy.ToString("R", CultureInfo.InvariantCulture),
            },
        };
    }


}
