using System.Text.Json.Nodes;

namespace ShapedVit.Models.Tests;

/// <summary>
/// What timm's own models are, read off the models timm builds (tests/Fixtures/timm/timm_parameter_counts.json): exact
/// parameter counts with the default tag's head and headless, widths, prefix tokens, position-embedding length.
/// </summary>
public static class TimmFacts
{
    private static readonly Lazy<IReadOnlyDictionary<string, JsonObject>> all = new(() =>
    {
        string path = Path.Combine(ShapedVit.Testing.RepositoryRoot.Path, "tests", "Fixtures", "timm", "timm_parameter_counts.json");
        var root = JsonNode.Parse(File.ReadAllText(path))!["architectures"]!.AsObject();
        return root.ToDictionary(p => p.Key, p => p.Value!.AsObject(), StringComparer.Ordinal);
    });

    public static IReadOnlyDictionary<string, JsonObject> Architectures => all.Value;

    public static JsonObject Of(string name) => all.Value[name];

    public static int[] Pair(JsonObject facts, string key) => facts[key]!.AsArray().Select(v => (int)v!).ToArray();

    /// <summary>Every architecture name, for theories.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in TimmTranslator.Load().Entries.Select(e => e.Name)) data.Add(name);
        return data;
    }
}
