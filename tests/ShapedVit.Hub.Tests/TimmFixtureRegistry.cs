using System.Text.Json;
using ShapedVit.Testing;

namespace ShapedVit.Hub.Tests;

/// <summary>timm's registry as tests/Fixtures/timm/timm_catalogue.json records it (default_tag, each tag's hf_hub_id): the
/// stand-in for ShapedVit.Models' catalogue, which supplies <see cref="IPretrainedRegistry"/> in the library.</summary>
internal sealed class TimmFixtureRegistry : IPretrainedRegistry
{
    public static TimmFixtureRegistry Instance { get; } = new();

    private readonly Dictionary<string, string> defaultTags = [];
    private readonly Dictionary<string, string> hubIds = [];

    private TimmFixtureRegistry()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepositoryRoot.Path, "tests", "Fixtures", "timm", "timm_catalogue.json")));
        foreach (var architecture in document.RootElement.GetProperty("architectures").EnumerateObject())
        {
            if (architecture.Value.GetProperty("default_tag").GetString() is { } tag && architecture.Value.GetProperty("pretrained").GetArrayLength() > 0)
                defaultTags[architecture.Name] = tag;
            foreach (var pretrained in architecture.Value.GetProperty("pretrained").EnumerateArray())
                hubIds[pretrained.GetProperty("name").GetString()!] = pretrained.GetProperty("hf_hub_id").GetString()!;
        }
    }

    public string? DefaultTag(string architecture) => defaultTags.GetValueOrDefault(architecture);

    public string? HubId(string architecture, string tag) => hubIds.GetValueOrDefault(architecture + "." + tag);
}
