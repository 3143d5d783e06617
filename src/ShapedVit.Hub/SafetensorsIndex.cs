using System.Text.Json;

namespace ShapedVit.Hub;

/// <summary>transformers' <c>model.safetensors.index.json</c> (<c>{"metadata": {...}, "weight_map": {"tensor": "shard"}}</c>)
/// read as untrusted input: size-capped, duplicate keys refused, every shard a plain <c>.safetensors</c> file name beside
/// the index (never a path), and a bounded number of tensors and shards.</summary>
internal static class SafetensorsIndex
{
    /// <summary>The largest index read: a model of 100,000 tensors with long names takes under 10 MB.</summary>
    public const int MaxBytes = 16 << 20;
    public const int MaxTensors = 200_000;
    public const int MaxShards = 1_000;

    /// <summary>The shard file names, each once, in the order the index first names them.</summary>
    /// <exception cref="HubException">The file is too large, not JSON, or not an index of safetensors shards (<see cref="HubErrorKind.InvalidConfig"/>).</exception>
    public static IReadOnlyList<string> Read(string path)
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxBytes) throw Invalid(path, "(file)", $"{stream.Length} bytes, more than the {MaxBytes} an index may have");
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new HubException(HubErrorKind.InvalidConfig, $"{path}: cannot be read ({error.Message})", error);
        }
        return Parse(bytes, path);
    }

    public static IReadOnlyList<string> Parse(ReadOnlySpan<byte> json, string source)
    {
        if (json.Length > MaxBytes) throw Invalid(source, "(file)", $"{json.Length} bytes, more than the {MaxBytes} an index may have");
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException error)
        {
            throw Invalid(source, "(file)", $"not valid JSON ({error.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Invalid(source, "(file)", "not a JSON object");
            JsonElement? map = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name != "weight_map") continue;
                if (map is not null) throw Invalid(source, "weight_map", "appears twice");
                map = property.Value;
            }
            if (map is not { } weightMap) throw Invalid(source, "weight_map", "missing");
            if (weightMap.ValueKind != JsonValueKind.Object) throw Invalid(source, "weight_map", "not an object");

            var tensors = new HashSet<string>(StringComparer.Ordinal);
            var shards = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in weightMap.EnumerateObject())
            {
                if (!tensors.Add(entry.Name)) throw Invalid(source, "weight_map." + Shorten(entry.Name), "appears twice");
                if (tensors.Count > MaxTensors) throw Invalid(source, "weight_map", $"more than {MaxTensors} tensors");
                if (entry.Value.ValueKind != JsonValueKind.String) throw Invalid(source, "weight_map." + Shorten(entry.Name), "not a file name");
                var shard = entry.Value.GetString()!;
                if (seen.Contains(shard)) continue;
                // A shard is a file beside the index: no folders, no '..', nothing a cache path could escape with.
                if (shard.Length is 0 or > 255 || !shard.EndsWith(".safetensors", StringComparison.Ordinal)
                    || !shard.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || shard.StartsWith('.'))
                    throw Invalid(source, "weight_map." + Shorten(entry.Name), $"'{Shorten(shard)}' is not a .safetensors file name beside the index");
                seen.Add(shard);
                shards.Add(shard);
                if (shards.Count > MaxShards) throw Invalid(source, "weight_map", $"more than {MaxShards} shards");
            }
            if (shards.Count == 0) throw Invalid(source, "weight_map", "empty");
            return shards;
        }
    }

    private static string Shorten(string text)
    {
        var printable = string.Concat(text.Take(61).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return text.Length > 60 ? printable[..Math.Min(printable.Length, 57)] + "..." : printable;
    }

    private static HubException Invalid(string source, string field, string problem) =>
        new(HubErrorKind.InvalidConfig, $"{source}: field {field}: {problem}");
}
