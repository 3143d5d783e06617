namespace ShapedVit.Hub;

/// <summary>A pretrained model's files in the cache: its config.json (parsed) and its safetensors weights.</summary>
public sealed class HubModelFiles
{
    internal HubModelFiles(HubModelName name, HubFile? configFile, HubModelConfig? config, HubFile weights)
    {
        Name = name; ConfigFile = configFile; Config = config; Weights = weights;
    }

    /// <summary>The name the files were resolved from.</summary>
    public HubModelName Name { get; }

    /// <summary>config.json in the cache, or null when a timm repo has none (its architecture is then the name's).</summary>
    public HubFile? ConfigFile { get; }

    /// <summary>config.json parsed, or null when the repo has none.</summary>
    public HubModelConfig? Config { get; }

    /// <summary>The weights, <c>model.safetensors</c>, in the cache.</summary>
    public HubFile Weights { get; }

    /// <summary>The architecture: the config's, else the timm name's.</summary>
    public string Architecture => Config?.Architecture ?? Name.Architecture!;
}

public sealed partial class HubClient
{
    /// <summary>The safetensors weights file a timm or transformers repo publishes.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>The pickled weights files (PyTorch <c>.bin</c>) that ShapedVit refuses to load.</summary>
    private static readonly string[] PickledWeightsFileNames = ["pytorch_model.bin", "open_clip_pytorch_model.bin"];

    /// <summary>Downloads (or finds in the cache) the config.json and <c>model.safetensors</c> of <paramref name="name"/>'s repo.</summary>
    /// <exception cref="HubException">As <see cref="DownloadAsync"/>; also an <c>hf-hub:</c> repo without config.json, an
    /// invalid config.json, and a repo that has only pickled <c>.bin</c> weights.</exception>
    public async Task<HubModelFiles> DownloadModelAsync(HubModelName name, IProgress<HubDownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        HubFile? configFile = null;
        HubModelConfig? config = null;
        try
        {
            configFile = await DownloadAsync(name.RepoId, "config.json", name.Revision, progress, cancellationToken).ConfigureAwait(false);
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

        try
        {
            var weights = await DownloadAsync(name.RepoId, WeightsFileName, name.Revision, progress, cancellationToken).ConfigureAwait(false);
            return new HubModelFiles(name, configFile, config, weights);
        }
        catch (HubException error) when (error.Kind == HubErrorKind.EntryNotFound)
        {
            foreach (var pickled in PickledWeightsFileNames)
            {
                try
                {
                    await HeadAsync(name.RepoId, pickled, name.Revision, retries: 0, cancellationToken).ConfigureAwait(false);
                }
                catch (HubException) { continue; }
                throw new HubException(HubErrorKind.PickleOnly, $"{name.RepoId}@{name.Revision} has only pickled PyTorch weights ({pickled}), which ShapedVit does not load (safetensors only, as unpickling runs code): use a revision or repo that has {WeightsFileName}");
            }
            throw new HubException(HubErrorKind.EntryNotFound, $"{name.RepoId}@{name.Revision} has no {WeightsFileName}: ShapedVit loads safetensors weights only", error);
        }
    }
}
