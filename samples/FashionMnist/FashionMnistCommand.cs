using System.CommandLine;
using System.Globalization;
using ShapedVit.Samples.Shared;

namespace ShapedVit.Samples.FashionMnist;

/// <summary>The command line: parses arguments into <see cref="FashionMnistOptions"/>; argument errors are one line on stderr and exit code 2.</summary>
public static class FashionMnistCommand
{
    public const int UsageError = SampleCommandLine.UsageError;

    /// <summary>The short usage, appended to every command-line error.</summary>
    public const string Usage = "usage: fashion-mnist [--data DIR] [--out DIR] [--epochs N] [--batch-size N] [--lr X] [--resume] [--classify [N]] [--device cpu|cuda|cuda:N|auto] [--help]";

    /// <summary>The options' defaults are the record's, so the command line and code that builds options agree.</summary>
    private static readonly FashionMnistOptions Defaults = new();

    public static int Run(string[] args, TextWriter output, TextWriter error, Func<FashionMnistOptions, int>? action = null)
    {
        action ??= options => new FashionMnistApp(options, output, error).Run();
        var data = new Option<string?>("--data") { Description = "Folder with the Fashion-MNIST IDX files (.gz or raw). Default: the slice shipped with the sample." };
        var outDir = new Option<string>("--out") { Description = "Output folder (weights, training state, plot).", DefaultValueFactory = _ => Defaults.OutputDirectory };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => Defaults.Epochs };
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => Defaults.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (AdamW).", DefaultValueFactory = _ => Defaults.LearningRate };
        var wd = new Option<double>("--weight-decay") { Description = "AdamW weight decay (matrices only).", DefaultValueFactory = _ => Defaults.WeightDecay };
        var warmup = new Option<double>("--warmup") { Description = "Linear warmup, in epochs, before the cosine decay.", DefaultValueFactory = _ => Defaults.WarmupEpochs };
        var smoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing of the loss.", DefaultValueFactory = _ => Defaults.LabelSmoothing };
        var clip = new Option<double>("--clip") { Description = "Clip the gradients' global norm to this (0: off).", DefaultValueFactory = _ => Defaults.GradientClip };
        var pad = new Option<int>("--crop-padding") { Description = "Random crop of the image padded by this many pixels (0: off).", DefaultValueFactory = _ => Defaults.CropPadding };
        var fullTokens = new Option<int>("--full-token-epochs") { Description = "The last N epochs train without patch dropout, on every patch token.", DefaultValueFactory = _ => Defaults.FullTokenEpochs };
        var noFlip = new Option<bool>("--no-flip") { Description = "Turn off random horizontal flips." };
        var seed = new Option<long>("--seed") { Description = "Seed of weights, shuffling, augmentation and dropout.", DefaultValueFactory = _ => Defaults.Seed };
        var limit = new Option<int>("--limit") { Description = "Train on the first N training images only (0: all)." };
        var classes = new Option<int[]>("--classes") { Description = "Train and test on these classes only, e.g. --classes 0 1 2 3 4 (pre-training for a fine-tuning experiment).", AllowMultipleArgumentsPerToken = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the run saved in --out where it stopped (with a larger --epochs, train on to that many)." };
        var force = new Option<bool>("--force") { Description = "Overwrite a checkpoint of a different architecture." };
        var classify = new Option<int?>("--classify") { Description = "Classify N test images (default 8) with the saved model instead of training.", Arity = ArgumentArity.ZeroOrOne };
        var threads = new Option<int>("--threads") { Description = "CPU threads for libtorch (0: all cores)." };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto.", DefaultValueFactory = _ => Defaults.Device };
        var plain = new Option<bool>("--plain") { Description = "Plain progress lines instead of live bars." };

        var root = new RootCommand("Trains a Vision Transformer from scratch on Fashion-MNIST.")
        {
            data, outDir, epochs, batch, lr, wd, warmup, smoothing, clip, pad, fullTokens, noFlip, seed, limit, classes, resume, force, classify, threads, device, plain,
        };
        if (SampleCommandLine.ParseOrExit(root, args, Usage, output, error, out var parsed) is int exit) return exit;

        var classifyResult = parsed.GetResult(classify);
        var options = new FashionMnistOptions
        {
            DataDirectory = parsed.GetValue(data),
            OutputDirectory = parsed.GetValue(outDir)!,
            Epochs = parsed.GetValue(epochs),
            EpochsGiven = parsed.GetResult(epochs) is { Implicit: false },
            BatchSize = parsed.GetValue(batch),
            LearningRate = parsed.GetValue(lr),
            WeightDecay = parsed.GetValue(wd),
            WarmupEpochs = parsed.GetValue(warmup),
            LabelSmoothing = parsed.GetValue(smoothing),
            GradientClip = parsed.GetValue(clip),
            CropPadding = parsed.GetValue(pad),
            FullTokenEpochs = parsed.GetValue(fullTokens),
            HorizontalFlip = !parsed.GetValue(noFlip),
            Seed = parsed.GetValue(seed),
            TrainLimit = parsed.GetValue(limit),
            Classes = parsed.GetValue(classes) is { Length: > 0 } chosen ? chosen : null,
            Resume = parsed.GetValue(resume),
            Force = parsed.GetValue(force),
            Classify = classifyResult is null ? 0 : parsed.GetValue(classify) ?? 8,
            Threads = parsed.GetValue(threads),
            Device = parsed.GetValue(device)!,
            Plain = parsed.GetValue(plain),
        };
        string? problem = options.Problems().FirstOrDefault();
        if (problem is not null)
        {
            error.WriteLine($"error: {problem} ({Usage})");
            return UsageError;
        }
        return action(options);
    }

    internal static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

}
