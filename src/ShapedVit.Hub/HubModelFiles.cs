namespace ShapedVit.Hub;

/// <summary>A pretrained model's files in the cache: its config.json (parsed) and its safetensors weights, one file or
/// the shards a <c>model.safetensors.index.json</c> lists.</summary>
public sealed class HubModelFiles
{
    internal HubModelFiles(HubModelName name, HubFile? configFile, HubModelConfig? config, string timmArchitecture,
        HubFile? weightsIndex, IReadOnlyList<HubFile> weightFiles)
    {
        Name = name; ConfigFile = configFile; Config = config; TimmArchitecture = timmArchitecture;
        WeightsIndex = weightsIndex; WeightFiles = weightFiles;
    }

    /// <summary>The name the files were resolved from.</summary>
    public HubModelName Name { get; }

    /// <summary>config.json in the cache, or null when a timm repo has none (its architecture is then the name's).</summary>
    public HubFile? ConfigFile { get; }

    /// <summary>config.json parsed, or null when the repo has none.</summary>
    public HubModelConfig? Config { get; }

    /// <summary>The architecture as the repo states it: the config's (timm's <c>architecture</c>, transformers' first
    /// <c>architectures</c> entry), else the timm name's.</summary>
    public string Architecture => Config?.Architecture ?? Name.Architecture!;

    /// <summary>The timm architecture to build: a timm name's own (as timm does: <c>vit_base_patch16_clip_quickgelu_224.openai</c>
    /// is published in a repo whose config says <c>vit_base_patch16_clip_224</c>), else the config's
    /// <see cref="HubModelConfig.TimmArchitecture"/>.</summary>
    public string TimmArchitecture { get; }

    /// <summary>The weights: <c>model.safetensors</c>, or the first shard of a sharded repo (see <see cref="WeightFiles"/>).</summary>
    public HubFile Weights => WeightFiles[0];

    /// <summary>Every weights file: <c>model.safetensors</c> alone, or the shards in the order the index first names them.</summary>
    public IReadOnlyList<HubFile> WeightFiles { get; }

    /// <summary><c>model.safetensors.index.json</c> when the weights are sharded, else null.</summary>
    public HubFile? WeightsIndex { get; }

    /// <summary>Whether the weights are split over several files.</summary>
    public bool IsSharded => WeightsIndex is not null;
}

public sealed partial class HubClient
{
    /// <summary>The safetensors weights file a timm or transformers repo publishes.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>The index transformers writes beside sharded safetensors weights.</summary>
    public const string WeightsIndexFileName = "model.safetensors.index.json";

    /// <summary>A repo's model configuration file.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The pickled weights files (PyTorch <c>.bin</c>, <c>.pth</c>) that ShapedVit refuses to load.</summary>
    private static readonly string[] PickledWeightsFileNames = ["pytorch_model.bin", "open_clip_pytorch_model.bin", "pytorch_model.bin.index.json", "model.pth"];

    /// <summary>Downloads (or finds in the cache) <paramref name="name"/>'s config.json and resolves the timm architecture:
    /// the name's for a timm name (whose repo may have no config.json), the config's for an <c>hf-hub:</c> repo. Nothing
    /// else is downloaded, so a caller can check the architecture before fetching the weights.</summary>
    /// <exception cref="HubException">As <see cref="DownloadAsync"/>; also an <c>hf-hub:</c> repo without config.json, an
    /// invalid config.json, and a config that matches no timm architecture.</exception>
    public async Task<(HubFile? File, HubModelConfig? Config, string TimmArchitecture)> DownloadConfigAsync(HubModelName name,
        IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        HubFile? configFile = null;
        HubModelConfig? config = null;
        try
        {
            configFile = await DownloadAsync(name.RepoId, ConfigFileName, name.Revision, progress, cancellationToken).ConfigureAwait(false);
            config = HubModelConfig.Read(configFile.Path);
        }
        catch (HubException error) when (error.Kind == HubErrorKind.EntryNotFound && !name.IsHubRepo)
        {
            // timm's name already says the architecture; its pretrained_cfg is then the catalogue's.
        }
        catch (HubException error) when (error.Kind == HubErrorKind.EntryNotFound)
        {
            throw new HubException(HubErrorKind.EntryNotFound, $"{name.RepoId}@{name.Revision} has no config.json, so {name.Name} does not say its architecture: use a timm name (arch.tag) or a repo with a timm or transformers config.json", error);
        }
        var architecture = name.Architecture ?? config!.RequireTimmArchitecture();
        return (configFile, config, architecture);
    }

    private async Task<(HubFile? File, HubModelConfig? Config, string TimmArchitecture)> ConfigOrNoWeightsAsync(HubModelName name,
        IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            return await DownloadConfigAsync(name, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (HubException error) when (error.Kind == HubErrorKind.UnsupportedArchitecture && !Options.Offline)
        {
            // A repo with no safetensors at all is refused for that first: it is the problem no other model name fixes.
            if (await HasAnyAsync(name, [WeightsFileName, WeightsIndexFileName], cancellationToken).ConfigureAwait(false)) throw;
            throw await NoSafetensorsAsync(name, error, cancellationToken).ConfigureAwait(false);
        }
    }

    // Whether the repo has one of the files, asked with HEAD only (nothing is downloaded); an answer other than "no such
    // file" (network, access) counts as unknown.
    private async Task<bool> HasAnyAsync(HubModelName name, string[] files, CancellationToken cancellationToken, bool unknown = true)
    {
        foreach (var file in files)
        {
            try
            {
                await HeadAsync(name.RepoId, file, name.Revision, retries: 0, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (HubException error) when (error.Kind == HubErrorKind.EntryNotFound) { }
            catch (HubException) { return unknown; }
        }
        return false;
    }

    /// <summary>Downloads (or finds in the cache) the config.json and the safetensors weights of <paramref name="name"/>'s
    /// repo: <c>model.safetensors</c>, else every shard <c>model.safetensors.index.json</c> lists, each checked as
    /// <see cref="DownloadAsync"/> checks a file. The config is read, and its architecture resolved, before any weights.</summary>
    /// <exception cref="HubException">As <see cref="DownloadConfigAsync"/> and <see cref="DownloadAsync"/>; also an invalid
    /// index, and a repo that has only pickled weights (<c>pytorch_model.bin</c>, <c>*.pth</c>), refused without downloading them.</exception>
    public async Task<HubModelFiles> DownloadModelAsync(HubModelName name, IProgress<HubDownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var (configFile, config, architecture) = await ConfigOrNoWeightsAsync(name, progress, cancellationToken).ConfigureAwait(false);
        HubFile? index = null;
        IReadOnlyList<HubFile> weights;
        try
        {
            weights = [await DownloadAsync(name.RepoId, WeightsFileName, name.Revision, progress, cancellationToken).ConfigureAwait(false)];
        }
        catch (HubException error) when (error.Kind == HubErrorKind.EntryNotFound)
        {
            try
            {
                index = await DownloadAsync(name.RepoId, WeightsIndexFileName, name.Revision, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (HubException indexError) when (indexError.Kind == HubErrorKind.EntryNotFound)
            {
                throw await NoSafetensorsAsync(name, indexError, cancellationToken).ConfigureAwait(false);
            }
            var shards = SafetensorsIndex.Read(index.Path);
            var files = new List<HubFile>(shards.Count);
            foreach (var shard in shards)
                files.Add(await DownloadAsync(name.RepoId, shard, index.Commit, progress, cancellationToken).ConfigureAwait(false));
            weights = files;
        }
        return new HubModelFiles(name, configFile, config, architecture, index, weights);
    }

    // Which pickle the repo has decides the message; the pickle itself is never downloaded (HEAD only).
    private async Task<HubException> NoSafetensorsAsync(HubModelName name, HubException error, CancellationToken cancellationToken)
    {
        if (!Options.Offline)
        {
            foreach (var pickled in PickledWeightsFileNames)
            {
                if (!await HasAnyAsync(name, [pickled], cancellationToken, unknown: false).ConfigureAwait(false)) continue;
                return new HubException(HubErrorKind.PickleOnly, $"{name.RepoId}@{name.Revision} has only pickled PyTorch weights ({pickled}), which ShapedVit does not load (safetensors only, as unpickling runs code): use a revision or repo that has {WeightsFileName}");
            }
        }
        return new HubException(HubErrorKind.EntryNotFound, $"{name.RepoId}@{name.Revision} has no {WeightsFileName} (nor {WeightsIndexFileName}): ShapedVit loads safetensors weights only", error);
    }
}
