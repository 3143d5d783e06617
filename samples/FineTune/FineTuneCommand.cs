using ShapedVit.Samples.Shared;
using System.CommandLine;

namespace ShapedVit.Samples.FineTune;

/// <summary>The command line: parses arguments into <see cref="FineTuneOptions"/>; argument errors are one line on stderr and exit code 2.</summary>
public static class FineTuneCommand
{
    public const int UsageError = SampleCommandLine.UsageError;
    public const string Usage = "usage: finetune DATA_DIR --checkpoint FILE.safetensors | --model NAME [--offline] [--out DIR] [--linear-probe] [--layer-decay X] [--from-scratch] [--bfloat16] [--recipe auto|photo|small] [--crop-padding N] [--no-flip] [--test DIR] [--epochs N] [--resume] [--help]";

    private static readonly FineTuneOptions Defaults = new();

    public static int Run(string[] args, TextWriter output, TextWriter error, Func<FineTuneOptions, int>? action = null)
    {
        action ??= options => new FineTuneApp(options, output, error).Run();
        var data = new Argument<string>("data") { Description = "Image folder: one subfolder of JPEG/PNG/WebP images per class." };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "The pre-trained checkpoint (.safetensors)." };
        var model = new Option<string?>("--model") { Description = "Without --checkpoint: a pretrained model from the Hugging Face Hub (timm's arch.tag, e.g. vit_tiny_patch16_224.augreg_in21k_ft_in1k, or hf-hub:org/repo), downloaded into huggingface_hub's cache or reused from it, its head replaced. With --checkpoint: the pre-trained model's name, for a checkpoint without ShapedVit metadata: " + string.Join(", ", Shared.Backbone.All.SelectMany(b => b.Pretrained)) + "." };
        var offline = new Option<bool>("--offline") { Description = "Use the Hub cache only, send no request (as HF_HUB_OFFLINE=1)." };
        var outDir = new Option<string>("--out") { Description = "Folder for model.safetensors, trainer-state.safetensors and training.png.", DefaultValueFactory = _ => Defaults.OutputDirectory };
        var test = new Option<string?>("--test") { Description = "A separate image folder with the same classes to report the final accuracy on." };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => Defaults.Epochs, Description = "Epochs (with --resume: continue up to this many)." };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => Defaults.BatchSize };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => Defaults.LearningRate, Description = "Peak learning rate (AdamW, warmup then cosine)." };
        var wd = new Option<double>("--weight-decay") { DefaultValueFactory = _ => Defaults.WeightDecay };
        var warmup = new Option<double>("--warmup") { DefaultValueFactory = _ => Defaults.WarmupEpochs, Description = "Warmup epochs." };
        var smoothing = new Option<double>("--label-smoothing") { DefaultValueFactory = _ => Defaults.LabelSmoothing };
        var layerDecay = new Option<double?>("--layer-decay") { Description = "timm's layer-wise learning-rate decay, e.g. 0.75." };
        var probe = new Option<bool>("--linear-probe") { Description = "Train the new head only; the pre-trained backbone stays frozen." };
        var scratch = new Option<bool>("--from-scratch") { Description = "Same architecture from random weights (the baseline)." };
        var bfloat16 = new Option<bool>("--bfloat16") { Description = "Forward and backward in bfloat16, float32 master weights: faster for ViT-S-sized models and up on CPUs with AMX, slower for small ones." };
        var valFraction = new Option<double>("--val-fraction") { DefaultValueFactory = _ => Defaults.ValidationFraction, Description = "Share of each class held out for validation." };
        var recipe = new Option<RecipeName>("--recipe")
        {
            DefaultValueFactory = _ => Defaults.Recipe,
            Description = "Training augmentation. photo: timm's (RandomResizedCrop from 8 % of the area, flip, TrivialAugment), for colour pictures of " +
                          $"{AugmentationRecipe.PhotoSide} px and more. small: the whole image (no random crop), no flip, no TrivialAugment, for small or grey images " +
                          "(digits, icons, scans). auto: photo or small, from a few of the folder's images (size, grey or colour).",
        };
        var minScale = new Option<double?>("--min-scale") { Description = "RandomResizedCrop's smallest area share (default: the recipe's)." };
        var cropPadding = new Option<int?>("--crop-padding") { Description = "Shift: pad the image with this many black pixels on each side, then crop the model's size at random (torchvision's RandomCrop padding; default: the recipe's; at most half the input side)." };
        var noAugment = new Option<bool>("--no-trivial-augment") { Description = "Turn TrivialAugment off." };
        var noFlip = new Option<bool>("--no-flip") { Description = "Turn the horizontal flip off (digits, letters, text: anything a mirror changes)." };
        var skipBad = new Option<bool>("--skip-bad-images") { Description = "Skip (and count) unreadable images instead of stopping." };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => Defaults.Seed };
        var resume = new Option<bool>("--resume") { Description = "Continue the run saved in --out (a larger --epochs trains more)." };
        var threads = new Option<int>("--threads") { Description = "CPU threads for libtorch (0: all cores)." };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto.", DefaultValueFactory = _ => Defaults.Device };
        var plain = new Option<bool>("--plain") { Description = "Plain progress lines instead of live bars." };

        var root = new RootCommand("Fine-tunes a pre-trained Vision Transformer on a folder of your own images.")
        {
            data, checkpoint, model, offline, outDir, test, epochs, batch, lr, wd, warmup, smoothing, layerDecay, probe, scratch, bfloat16, valFraction, recipe, minScale,
            cropPadding, noAugment, noFlip, skipBad, seed, resume, threads, device, plain,
        };
        if (SampleCommandLine.ParseOrExit(root, args, Usage, output, error, out var parsed) is int exit) return exit;

        var options = new FineTuneOptions
        {
            DataDirectory = parsed.GetValue(data)!,
            Checkpoint = parsed.GetValue(checkpoint),
            Model = parsed.GetValue(model),
            Offline = parsed.GetValue(offline),
            OutputDirectory = parsed.GetValue(outDir)!,
            TestDirectory = parsed.GetValue(test),
            Epochs = parsed.GetValue(epochs),
            EpochsGiven = parsed.GetResult(epochs) is { Implicit: false },
            BatchSize = parsed.GetValue(batch),
            LearningRate = parsed.GetValue(lr),
            WeightDecay = parsed.GetValue(wd),
            WarmupEpochs = parsed.GetValue(warmup),
            LabelSmoothing = parsed.GetValue(smoothing),
            LayerDecay = parsed.GetValue(layerDecay),
            LinearProbe = parsed.GetValue(probe),
            FromScratch = parsed.GetValue(scratch),
            BFloat16 = parsed.GetValue(bfloat16),
            ValidationFraction = parsed.GetValue(valFraction),
            Recipe = parsed.GetValue(recipe),
            MinScale = parsed.GetValue(minScale),
            CropPadding = parsed.GetValue(cropPadding),
            NoTrivialAugment = parsed.GetValue(noAugment),
            NoFlip = parsed.GetValue(noFlip),
            SkipBadImages = parsed.GetValue(skipBad),
            Seed = parsed.GetValue(seed),
            Resume = parsed.GetValue(resume),
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

}
