using ShapedVit.Checkpoints;
using ShapedVit.Hub;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Models;

public static partial class Timm
{
    /// <summary>The extra checkpoint metadata key of the Hub repo pretrained weights were loaded from (<c>timm/vit_small_patch14_dinov2.lvd142m</c>).</summary>
    public const string HubRepoKey = "hf_hub.repo_id";

    /// <summary>The extra checkpoint metadata key of the commit the weights were loaded at (40 hex digits): the exact files, reproducibly.</summary>
    public const string HubCommitKey = "hf_hub.commit";

    /// <summary>
    /// timm's registry as ShapedVit.Hub's <see cref="HubModelName.Parse(string, IPretrainedRegistry?)"/> takes it: a bare
    /// architecture's default tag (null where timm publishes no weights for it, or it is not in the catalogue) and the repo
    /// of an <c>arch.tag</c> (its <c>hf_hub_id</c>: <c>vit_base_patch16_clip_quickgelu_224.openai</c> is in
    /// <c>timm/vit_base_patch16_clip_224.openai</c>).
    /// </summary>
    public static IPretrainedRegistry HubRegistry { get; } = new TimmHubRegistry();

    /// <summary>
    /// timm's <c>create_model(name, pretrained=pretrained, num_classes=numClasses)</c>. With <paramref name="pretrained"/>
    /// the published weights are downloaded from the Hugging Face Hub into Python's cache (or found there; offline with
    /// <c>HF_HUB_OFFLINE=1</c> or <see cref="HubOptions.Offline"/>), checked against their sha256, and loaded strictly
    /// (safetensors only; sharded weights as one checkpoint; transformers' key names converted). <paramref name="name"/> is
    /// timm's <c>arch.tag</c> (the tag's repo, <c>timm/arch.tag</c> or its <c>hf_hub_id</c>), a bare <c>arch</c> (timm's
    /// default tag) or <c>hf-hub:org/repo[@revision]</c> (the architecture from the repo's config.json, timm's format or
    /// transformers' for the families that have one). The model's checkpoint metadata (<see cref="MetadataOf"/>) holds the
    /// repo's <c>label_names</c>, the preprocessing of the <c>pretrained_cfg</c>, the repo and the commit. A
    /// <paramref name="numClasses"/> other than the published head's re-initialises the head (timm's
    /// <c>reset_classifier</c>; 0: headless), as fine-tuning needs. Without <paramref name="pretrained"/> it is
    /// <see cref="Create(string, int?, long?)"/>, but for an <c>hf-hub:</c> name, whose config.json is downloaded for its
    /// architecture, as timm does.
    /// </summary>
    /// <param name="name">timm's <c>arch.tag</c> or <c>arch</c>, or <c>hf-hub:org/repo[@revision]</c>.</param>
    /// <param name="pretrained">Load the published weights (true) or keep timm's initialisation (false).</param>
    /// <param name="numClasses">The head's class count; null: the published head's (the tag's or config.json's).</param>
    /// <param name="seed">The seed of the initialisation (of a re-initialised head too); null draws from torch's global generator.</param>
    /// <param name="hubOptions">Endpoint, cache, token, offline; null: huggingface_hub's environment variables (<see cref="HubOptions.FromEnvironment()"/>).</param>
    /// <param name="progress">Download progress of each file, reported from the download's thread.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <exception cref="UnknownModelException">No such architecture or tag; the message lists the nearest names.</exception>
    /// <exception cref="ArgumentException">The name has no published weights, or the repo's config.json names an
    /// architecture or preprocessing the catalogue does not build; one line naming the repo and the field.</exception>
    /// <exception cref="HubException">The Hub or the cache failed (no such repo, only pickled weights, not cached while
    /// offline, a sha256 mismatch, ...); one line naming the repo.</exception>
    /// <exception cref="CheckpointException">The weights do not fit the architecture.</exception>
    public static nn.Module<Tensor, Tensor> Create(string name, bool pretrained, int? numClasses = null, long? seed = null,
        HubOptions? hubOptions = null, IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!pretrained && !IsHubName(name)) return Create(name, numClasses, seed);
        // Run on the thread pool so that a caller's synchronisation context (a UI thread) cannot deadlock the wait.
        return Task.Run(() => CreateAsync(name, pretrained, numClasses, seed, hubOptions, progress, cancellationToken), cancellationToken)
            .GetAwaiter().GetResult();
    }

    /// <summary>
    /// <see cref="Create(string, bool, int?, long?, HubOptions, IProgress{HubDownloadProgress}, CancellationToken)"/>
    /// without blocking a thread on the download.
    /// </summary>
    /// <inheritdoc cref="Create(string, bool, int?, long?, HubOptions, IProgress{HubDownloadProgress}, CancellationToken)"/>
    public static async Task<nn.Module<Tensor, Tensor>> CreateAsync(string name, bool pretrained, int? numClasses = null, long? seed = null,
        HubOptions? hubOptions = null, IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckClasses(numClasses);
        if (!pretrained && !IsHubName(name)) return Create(name, numClasses, seed);

        // A timm name is checked against the catalogue before any request: a typo gets the nearest names, not a 404.
        HubModelName hubName;
        TimmPretrainedConfig? tagConfig = null;
        if (IsHubName(name))
            hubName = HubModelName.Parse(name, HubRegistry);
        else
        {
            tagConfig = Resolve(name).Config;
            if (!tagConfig.HasWeights)
                throw new ArgumentException($"{Shorten(name)}: timm publishes no weights for {tagConfig.Name} (Timm.PretrainedNames lists the names that have them); build it with Timm.Create(name) for timm's initialisation.", nameof(name));
            hubName = HubModelName.Parse(tagConfig.Name, HubRegistry);
        }

        using var hub = new HubClient(hubOptions);
        if (!pretrained)
        {
            var (_, onlyConfig, onlyArchitecture) = await hub.DownloadConfigAsync(hubName, progress, cancellationToken).ConfigureAwait(false);
            var (bare, bareConfig, bareClasses) = RepoConfig(hubName, onlyConfig!, onlyArchitecture);
            int classes = numClasses ?? bareClasses;
            var untrained = bare.Create(classes, seed);
            metadataOfModels.AddOrUpdate(untrained, MetadataFor(bare, bareConfig, classes));
            return untrained;
        }

        var files = await hub.DownloadModelAsync(hubName, progress, cancellationToken).ConfigureAwait(false);
        TimmArchitecture architecture;
        TimmPretrainedConfig config;
        int published;
        if (tagConfig is not null)
        {
            // timm builds the name's architecture with the registry's pretrained_cfg, whatever the repo's config.json says.
            architecture = registry.Value.ByName[tagConfig.Architecture];
            config = tagConfig;
            published = tagConfig.NumClasses;
        }
        else
            (architecture, config, published) = RepoConfig(hubName, files.Config!, files.TimmArchitecture);

        int numClassesBuilt = numClasses ?? published;
        var model = architecture.Create(numClassesBuilt, seed);
        try
        {
            var options = new CheckpointLoadOptions { Classifier = numClassesBuilt == published ? ClassifierLoading.Load : ClassifierLoading.Reset };
            LoadWeights(model, files, options);
            var labels = numClassesBuilt == published && files.Config?.LabelNames is { } names && names.Count == numClassesBuilt ? names : null;
            var metadata = MetadataFor(architecture, config, numClassesBuilt);
            var extra = new Dictionary<string, string>(metadata.Extra, StringComparer.Ordinal)
            {
                [HubRepoKey] = files.Weights.RepoId,
                [HubCommitKey] = files.Weights.Commit,
            };
            metadataOfModels.AddOrUpdate(model, metadata with { Labels = labels, Extra = extra });
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static bool IsHubName(string name)
    {
        var trimmed = name.TrimStart();
        return trimmed.StartsWith(HubModelName.HubPrefix, StringComparison.Ordinal) || trimmed.StartsWith("hf_hub:", StringComparison.Ordinal);
    }

    /// <summary>The architecture, pretrained_cfg and published class count an <c>hf-hub:</c> repo's config.json states.
    /// timm's format: its <c>pretrained_cfg</c>, the architecture's default tag filling what it leaves out; transformers'
    /// format: the default tag's preprocessing (transformers keeps its own in preprocessor_config.json, not read), and a head
    /// only for a <c>*ForImageClassification</c> model, as transformers builds it.</summary>
    private static (TimmArchitecture Architecture, TimmPretrainedConfig Config, int NumClasses) RepoConfig(HubModelName hubName, HubModelConfig config,
        string timmArchitecture)
    {
        string source = $"{hubName.RepoId}@{hubName.Revision} config.json";
        var known = registry.Value;
        // timm's config.json may write arch.tag; the architecture is the part before the dot.
        string arch = timmArchitecture.Split('.')[0];
        if (!known.ByName.TryGetValue(arch, out var architecture))
        {
            var nearest = NearestNames.Of(arch, known.Names);
            throw new ArgumentException($"{source}: field {(config.Format == HubConfigFormat.Timm ? "architecture" : "model_type")}: '{Shorten(arch)}' is not an architecture of the catalogue; the nearest are {string.Join(", ", nearest)} (Timm.Names lists all {known.Names.Count}).");
        }
        var fallback = architecture.DefaultConfig;
        int classes;
        int[] inputSize;
        double[] mean, std;
        double cropPct;
        string cropMode, interpolation;
        if (config.Format == HubConfigFormat.Timm)
        {
            classes = config.NumClasses ?? config.LabelNames?.Count ?? fallback.NumClasses;
            var input = config.InputSize ?? (fallback.InputSize[0], fallback.InputSize[1], fallback.InputSize[2]);
            if (input.Height != input.Width)
                throw new ArgumentException($"{source}: field pretrained_cfg.input_size: {input.Height}x{input.Width} is not square, which ShapedVit's preprocessing needs.");
            inputSize = [input.Channels, input.Height, input.Width];
            mean = [.. config.Mean ?? fallback.Mean];
            std = [.. config.Std ?? fallback.Std];
            if (mean.Length != input.Channels || std.Length != input.Channels)
                throw new ArgumentException($"{source}: field pretrained_cfg.mean: {mean.Length} means and {std.Length} stds for {input.Channels} channels.");
            cropPct = config.CropPct ?? fallback.CropPct;
            cropMode = config.CropMode ?? fallback.CropMode;
            interpolation = config.Interpolation ?? fallback.Interpolation;
            if (interpolation is not ("bicubic" or "bilinear"))
                throw new ArgumentException($"{source}: field pretrained_cfg.interpolation: '{interpolation}' is not one ShapedVit resizes with (bicubic, bilinear).");
        }
        else
        {
            bool classifier = config.Architectures.Any(a => a.Contains("ForImageClassification", StringComparison.Ordinal));
            classes = classifier ? config.NumClasses ?? 0 : 0;
            inputSize = [.. fallback.InputSize];
            mean = [.. fallback.Mean];
            std = [.. fallback.Std];
            cropPct = fallback.CropPct;
            cropMode = fallback.CropMode;
            interpolation = fallback.Interpolation;
        }
        var repoConfig = new TimmPretrainedConfig(hubName.Name, architecture.Name, "", hubName.RepoId, classes, inputSize, mean, std,
                                                  cropPct, cropMode, interpolation, license: null);
        return (architecture, repoConfig, classes);
    }

    /// <summary>
    /// Loads a Hub model's safetensors weights (<see cref="HubClient.DownloadModelAsync"/>'s files; every shard of a sharded
    /// repo as one checkpoint) into <paramref name="model"/> with the core's rules: all or nothing, strict but for
    /// <paramref name="options"/>, the naming (timm's, transformers') detected from the keys. What
    /// <c>Create(name, pretrained: true)</c> loads with; also for a model built another way from the same files.
    /// </summary>
    public static CheckpointLoadResult LoadWeights(nn.Module model, HubModelFiles files, CheckpointLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(files);
        if (!files.IsSharded) return model.LoadSafetensors(files.Weights.Path, options);
        var shards = new List<SafetensorsFile>();
        try
        {
            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var file in files.WeightFiles)
            {
                var shard = Safetensors.ReadAll(file.Path);
                shards.Add(shard);
                foreach (var (key, tensor) in shard.Tensors)
                    if (!tensors.TryAdd(key, tensor))
                        throw new InvalidDataException($"{file.Path}: tensor '{UntrustedText.Display(key)}' is also in an earlier shard of {files.Weights.RepoId}.");
            }
            return model.LoadTensors(tensors, files.WeightsIndex!.Path, shards[0].Metadata, options);
        }
        finally
        {
            foreach (var shard in shards) shard.Dispose();
        }
    }

    private sealed class TimmHubRegistry : IPretrainedRegistry
    {
        public string? DefaultTag(string architecture) =>
            registry.Value.ByName.TryGetValue(architecture, out var found) && found.DefaultConfig.HasWeights ? found.DefaultTag : null;

        public string? HubId(string architecture, string tag) =>
            registry.Value.ByName.TryGetValue(architecture, out var found)
                ? found.Pretrained.FirstOrDefault(p => p.Tag == tag)?.HfHubId
                : null;
    }
}
