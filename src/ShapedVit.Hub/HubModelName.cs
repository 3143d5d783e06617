using System.Text.RegularExpressions;

namespace ShapedVit.Hub;

/// <summary>A model name resolved to a Hub repo, as timm resolves it: <c>arch.tag</c> is the repo <c>timm/arch.tag</c>;
/// a bare <c>arch</c> means the architecture's default tag, which a catalogue supplies; <c>hf-hub:org/repo[@revision]</c>
/// names the repo itself, whose <c>config.json</c> then says the architecture.</summary>
public sealed partial class HubModelName
{
    /// <summary>The organisation that hosts timm's pretrained weights.</summary>
    public const string TimmOrganisation = "timm";

    /// <summary>The prefix that names a repo directly (timm's <c>hf-hub:</c>).</summary>
    public const string HubPrefix = "hf-hub:";

    private HubModelName(string name, string repoId, string revision, string? architecture, string? tag)
    {
        Name = name; RepoId = repoId; Revision = revision; Architecture = architecture; Tag = tag;
    }

    /// <summary>The name as given.</summary>
    public string Name { get; }

    /// <summary>The Hub repo, e.g. <c>timm/vit_small_patch14_dinov2.lvd142m</c>.</summary>
    public string RepoId { get; }

    /// <summary>The revision: the one after <c>@</c> in an <c>hf-hub:</c> name, else <c>main</c>.</summary>
    public string Revision { get; }

    /// <summary>timm's architecture for a timm name (<c>vit_small_patch14_dinov2</c>); null for an <c>hf-hub:</c> name,
    /// whose architecture comes from its config.json.</summary>
    public string? Architecture { get; }

    /// <summary>timm's pretrained tag (<c>lvd142m</c>); null for an <c>hf-hub:</c> name.</summary>
    public string? Tag { get; }

    /// <summary>Whether the name was <c>hf-hub:org/repo</c>.</summary>
    public bool IsHubRepo => Architecture is null;

    /// <summary>Resolves <paramref name="name"/>. <paramref name="defaultTag"/> maps a bare architecture to timm's default
    /// tag for it (a catalogue knows them; null: a bare architecture is refused with a one-line error).</summary>
    /// <exception cref="HubException">The name is none of the three forms.</exception>
    public static HubModelName Parse(string name, Func<string, string?>? defaultTag = null) =>
        Parse(name, defaultTag is null ? null : new TagLookup(defaultTag));

    /// <summary>Resolves <paramref name="name"/> as timm's registry does, with <paramref name="registry"/> (a model catalogue)
    /// for a bare architecture's default tag and for the repo an <c>arch.tag</c> is published under when it is not
    /// <c>timm/arch.tag</c> (timm's <c>hf_hub_id</c>: <c>vit_base_patch16_clip_quickgelu_224.openai</c> is
    /// <c>timm/vit_base_patch16_clip_224.openai</c>). Null: only <c>arch.tag</c> and <c>hf-hub:</c> names resolve.</summary>
    /// <exception cref="HubException">The name is none of the three forms, or the registry's repo is not a repo id.</exception>
    public static HubModelName Parse(string name, IPretrainedRegistry? registry)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim();
        if (trimmed.StartsWith(HubPrefix, StringComparison.Ordinal) || trimmed.StartsWith("hf_hub:", StringComparison.Ordinal))
        {
            var reference = trimmed[HubPrefix.Length..];
            var at = reference.IndexOf('@', StringComparison.Ordinal);
            var repoId = at < 0 ? reference : reference[..at];
            var revision = at < 0 ? "main" : reference[(at + 1)..];
            if (!repoId.Contains('/', StringComparison.Ordinal))
                throw new HubException(HubErrorKind.InvalidName, $"'{HubOptions.Shorten(name)}': an hf-hub: name needs org/repo, e.g. hf-hub:timm/vit_small_patch16_224.augreg_in21k_ft_in1k");
            HubClient.ValidateNames(repoId, "config.json", revision);
            return new HubModelName(trimmed, repoId, revision, architecture: null, tag: null);
        }

        var dot = trimmed.IndexOf('.', StringComparison.Ordinal);
        var architecture = dot < 0 ? trimmed : trimmed[..dot];
        var tag = dot < 0 ? null : trimmed[(dot + 1)..];
        if (!ArchitecturePattern().IsMatch(architecture))
            throw new HubException(HubErrorKind.InvalidName, $"'{HubOptions.Shorten(name)}' is not a model name: use timm's arch.tag (vit_small_patch16_224.augreg_in21k_ft_in1k), a bare arch, or hf-hub:org/repo");
        if (tag is null)
        {
            tag = registry?.DefaultTag(architecture);
            if (tag is null)
                throw new HubException(HubErrorKind.InvalidName, $"'{architecture}' names no pretrained tag and no default tag is known for it: write arch.tag (the tags are the timm/{architecture}.* repos on the Hub)");
        }
        if (!TagPattern().IsMatch(tag))
            throw new HubException(HubErrorKind.InvalidName, $"'{HubOptions.Shorten(name)}': '{HubOptions.Shorten(tag)}' is not a timm pretrained tag (letters, digits, '_' and '-')");
        var timmName = architecture + "." + tag;
        var repo = registry?.HubId(architecture, tag) ?? TimmOrganisation + "/" + timmName;
        HubClient.ValidateNames(repo, "config.json", "main");
        return new HubModelName(trimmed, repo, "main", architecture, tag);
    }

    /// <summary>The name and the repo it resolved to.</summary>
    public override string ToString() => Revision == "main" ? $"{Name} -> {RepoId}" : $"{Name} -> {RepoId}@{Revision}";

    private sealed class TagLookup(Func<string, string?> defaultTag) : IPretrainedRegistry
    {
        public string? DefaultTag(string architecture) => defaultTag(architecture);
        public string? HubId(string architecture, string tag) => null;
    }

    [GeneratedRegex("^[A-Za-z0-9_]{1,128}$")]
    private static partial Regex ArchitecturePattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,96}$")]
    private static partial Regex TagPattern();
}

/// <summary>What timm's registry knows of pretrained weights, supplied to <see cref="HubModelName.Parse(string, IPretrainedRegistry?)"/>
/// by a model catalogue (ShapedVit.Models' <c>Timm</c>), so this package needs no copy of timm's tables.</summary>
public interface IPretrainedRegistry
{
    /// <summary>timm's default pretrained tag of <paramref name="architecture"/> (the first of its pretrained configs), or
    /// null when the architecture is unknown or has no pretrained weights.</summary>
    string? DefaultTag(string architecture);

    /// <summary>The Hub repo timm downloads <c>architecture.tag</c> from (its pretrained config's <c>hf_hub_id</c>), or null
    /// for timm's usual <c>timm/architecture.tag</c>.</summary>
    string? HubId(string architecture, string tag);
}
