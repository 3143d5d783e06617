using System.CommandLine;
using System.Globalization;
using ShapedVit.Samples.Shared;

namespace ShapedVit.Samples.Classify;

/// <summary>The command line: parses arguments into <see cref="ClassifyOptions"/>; argument errors are one line on stderr and exit code 2.</summary>
public static class ClassifyCommand
{
    public const int UsageError = SampleCommandLine.UsageError;

    /// <summary>The short usage, appended to every command-line error.</summary>
    public const string Usage = "usage: classify IMAGE|FOLDER... [--checkpoint FILE | --model NAME [--offline]] [--labels FILE] [--top N] [--device cpu|cuda|cuda:N|auto] [--attention OUT.png] [--help]";

    /// <summary>The options' defaults are the record's, so the command line and code that builds options agree.</summary>
    private static readonly ClassifyOptions Defaults = new();

    public static int Run(string[] args, TextWriter output, TextWriter error, Func<ClassifyOptions, int>? action = null)
    {
        action ??= options => new ClassifyApp(options, output, error).Run();
        var images = new Argument<string[]>("images") { Description = "JPEG, PNG or WebP files, or folders of them (each folder's images, not its subfolders).", Arity = ArgumentArity.ZeroOrMore };
        var checkpoint = new Option<string>("--checkpoint") { Description = "A .safetensors checkpoint (default: the FashionMnist sample's).", DefaultValueFactory = _ => Defaults.Checkpoint };
        var labels = new Option<string?>("--labels") { Description = "Class names, one per line (default: the checkpoint's, else the model's)." };
        var model = new Option<string?>("--model") { Description = "Without --checkpoint: a pretrained model from the Hugging Face Hub (timm's arch.tag, e.g. vit_tiny_patch16_224.augreg_in21k_ft_in1k, or hf-hub:org/repo), downloaded into huggingface_hub's cache or reused from it. With --checkpoint: the model to build, for checkpoints without ShapedVit metadata: " + string.Join(", ", ModelCatalog.BuiltIn.Models.Select(m => m.Name)) + "." };
        var offline = new Option<bool>("--offline") { Description = "Use the Hub cache only, send no request (as HF_HUB_OFFLINE=1)." };
        var top = new Option<int>("--top") { Description = "How many classes to print.", DefaultValueFactory = _ => Defaults.Top };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto.", DefaultValueFactory = _ => Defaults.Device };
        var maxDimension = new Option<int>("--max-dimension") { Description = "Refuse images wider or taller than this.", DefaultValueFactory = _ => Defaults.MaxDimension };
        var maxPixels = new Option<long>("--max-pixels") { Description = "Refuse images with more pixels (decompression bombs).", DefaultValueFactory = _ => Defaults.MaxPixels };
        var ignoreOrientation = new Option<bool>("--ignore-exif-orientation") { Description = "Use pixels as stored, ignoring the EXIF orientation (as timm and torchvision read images)." };
        var attention = new Option<string?>("--attention") { Description = "Write the attention rollout of what the head reads (class token, or the patch tokens' mean for mean pooling) over the image as a PNG heat map." };
        var norm = new Option<NormalizationPreset>("--norm") { Description = "Normalisation: checkpoint (default), imagenet (crop 0.875) or inception (0.5, crop 0.9).", DefaultValueFactory = _ => Defaults.Normalization };
        var crop = new Option<double?>("--crop-pct") { Description = "Centre-crop ratio (the short side is resized to size / crop-pct)." };
        var mean = new Option<string?>("--mean") { Description = "Per-channel mean, comma-separated (e.g. 0.485,0.456,0.406)." };
        var std = new Option<string?>("--std") { Description = "Per-channel std, comma-separated (e.g. 0.229,0.224,0.225)." };

        var exportOnnx = new Option<string?>("--export-onnx") { Description = "Export the checkpoint's model to this ONNX file (labels and preprocessing in its metadata), then exit." };
        var root = new RootCommand("Classifies images with a ShapedVit checkpoint.") { images, checkpoint, labels, model, offline, top, device, maxDimension, maxPixels, ignoreOrientation, attention, norm, crop, mean, std, exportOnnx };
        if (SampleCommandLine.ParseOrExit(root, args, Usage, output, error, out var parsed) is int exit) return exit;

        // An unknown "--option" after an image is taken for another image by the parser: refuse it before any work.
        string? unknown = SampleCommandLine.OptionLike(parsed.GetValue(images) ?? []);
        if (unknown is not null)
        {
            error.WriteLine($"error: unknown option '{unknown}' (a file whose name starts with '-' can be given as ./{unknown}) ({Usage})");
            return UsageError;
        }

        float[]? means, stds;
        try
        {
            means = ParseList(parsed.GetValue(mean), "--mean");
            stds = ParseList(parsed.GetValue(std), "--std");
        }
        catch (FormatException e)
        {
            error.WriteLine($"error: {e.Message}");
            return UsageError;
        }
        var options = new ClassifyOptions
        {
            Images = parsed.GetValue(images) ?? [],
            Checkpoint = parsed.GetValue(checkpoint)!,
            LabelsFile = parsed.GetValue(labels),
            Model = parsed.GetValue(model),
            // --model without --checkpoint names pretrained weights on the Hub.
            Pretrained = parsed.GetValue(model) is not null && parsed.GetResult(checkpoint) is not { Implicit: false },
            Offline = parsed.GetValue(offline),
            ExportOnnxPath = parsed.GetValue(exportOnnx),
            Top = parsed.GetValue(top),
            Device = parsed.GetValue(device)!,
            MaxPixels = parsed.GetValue(maxPixels),
            MaxDimension = parsed.GetValue(maxDimension),
            ApplyExifOrientation = !parsed.GetValue(ignoreOrientation),
            AttentionPath = parsed.GetValue(attention),
            Normalization = parsed.GetValue(norm),
            CropPct = parsed.GetValue(crop),
            Mean = means,
            Std = stds,
        };
        string? problem = options.Problems().FirstOrDefault();
        if (problem is not null)
        {
            error.WriteLine($"error: {problem} ({Usage})");
            return UsageError;
        }
        return action(options);
    }

    private static float[]? ParseList(string? text, string name)
    {
        if (text is null) return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new FormatException($"{name}: '{parts[i]}' is not a number.");
        if (values.Length is not (1 or 3)) throw new FormatException($"{name} needs 1 or 3 values (got {values.Length}).");
        return values;
    }

}
