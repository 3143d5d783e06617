using ShapedVit.Checkpoints;
using ShapedVit.Hub;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Samples.Shared;

/// <summary>A pretrained model's files in the cache, with what its config.json says of labels and preprocessing.</summary>
/// <param name="Files">config.json and the safetensors weights, in huggingface_hub's cache.</param>
/// <param name="Preprocessing">timm's pretrained_cfg from config.json, else the catalogue's; null when neither says.</param>
/// <param name="Labels">The repo's label_names (timm) or id2label (transformers); null when it has none.</param>
public sealed record PretrainedFiles(HubModelFiles Files, PreprocessConfig? Preprocessing, IReadOnlyList<string>? Labels)
{
    /// <summary>The timm architecture to build.</summary>
    public string Architecture => Files.TimmArchitecture;

    /// <summary>The published head's class count: config.json's num_classes, else its label count; null when it says neither.</summary>
    public int? NumClasses => Files.Config?.NumClasses ?? Labels?.Count;

    /// <summary>Where the weights are (the first of several shards).</summary>
    public string WeightsPath => Files.Weights.Path;
}

/// <summary>Pretrained weights by name for the CLIs: resolved as timm resolves names, downloaded (or reused) through
/// <see cref="HubClient"/> with a progress bar, and loaded into a model strictly.</summary>
public static class PretrainedWeights
{
    /// <summary>
    /// Downloads, or finds in the cache, the config.json and safetensors weights of <paramref name="name"/> (timm's
    /// <c>arch.tag</c>, a bare <c>arch</c> when <paramref name="catalogue"/> knows its default tag, or
    /// <c>hf-hub:org/repo[@revision]</c>). <paramref name="environment"/> is read as huggingface_hub reads the process's
    /// (HF_ENDPOINT, HF_HUB_CACHE, HF_HOME, HF_TOKEN, HF_HUB_OFFLINE); <paramref name="offline"/> is <c>--offline</c>, the
    /// same as HF_HUB_OFFLINE=1. Progress and one line saying where the files are go to <paramref name="log"/>.
    /// </summary>
    /// <exception cref="HubException">The name, the Hub or the cache failed; the message is one line naming the repo.</exception>
    /// <exception cref="ArgumentException">config.json's preprocessing is one ShapedVit cannot apply.</exception>
    public static PretrainedFiles Fetch(string name, IPretrainedCatalogue catalogue, bool offline, Func<string, string?> environment, TextWriter log)
    {
        var options = HubOptions.FromEnvironment(variable => offline && variable == "HF_HUB_OFFLINE" ? "1" : environment(variable));
        var hubName = HubModelName.Parse(name, catalogue);
        using var hub = new HubClient(options);
        // The CLIs are synchronous; the download runs on the thread pool, so no context to deadlock on.
        var files = Task.Run(() => hub.DownloadModelAsync(hubName, DownloadBar.For(log))).GetAwaiter().GetResult();
        bool downloaded = files.WeightFiles.Any(f => f.Downloaded) || files.ConfigFile?.Downloaded == true;
        log.WriteLine($"pretrained: {hubName.Name} is {files.Weights.RepoId}@{files.Weights.Commit[..8]} ({files.TimmArchitecture}), " +
                      $"{(downloaded ? "downloaded to" : "from the cache")} {Path.GetDirectoryName(files.Weights.Path)}");
        var preprocessing = Preprocessing(files.Config, log) ?? catalogue.Preprocessing(files.TimmArchitecture, hubName.Tag);
        return new PretrainedFiles(files, preprocessing, files.Config?.LabelNames);
    }

    /// <summary>timm's pretrained_cfg as ShapedVit's preprocessing: input size, mean, std, crop_pct (timm's default 0.875
    /// when left out), interpolation. Null when the config says no input size, mean and std (transformers' configs keep
    /// them in preprocessor_config.json).</summary>
    /// <exception cref="ArgumentException">A non-square input or an interpolation ShapedVit does not have.</exception>
    public static PreprocessConfig? Preprocessing(HubModelConfig? config, TextWriter log)
    {
        if (config?.InputSize is not { } input || config.Mean is not { } mean || config.Std is not { } std) return null;
        if (input.Height != input.Width)
            throw new ArgumentException($"{config.Source}: field pretrained_cfg.input_size: {input.Height}x{input.Width} is not square, which ShapedVit's preprocessing needs.");
        var interpolation = config.Interpolation switch
        {
            null or "bicubic" => Interpolation.Bicubic,
            "bilinear" => Interpolation.Bilinear,
            var other => throw new ArgumentException($"{config.Source}: field pretrained_cfg.interpolation: '{other}' is not one ShapedVit resizes with (bicubic, bilinear)."),
        };
        if (config.CropMode is { } mode and not "center")
            log.WriteLine($"note: {config.Source} asks for crop_mode '{mode}'; ShapedVit crops at the centre.");
        return new PreprocessConfig(input.Height, config.CropPct ?? 0.875, [.. mean.Select(v => (float)v)], [.. std.Select(v => (float)v)], input.Channels)
        {
            Interpolation = interpolation,
        };
    }
}
