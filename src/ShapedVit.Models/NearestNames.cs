namespace ShapedVit.Models;

/// <summary>
/// The known names nearest a mistyped one, case-insensitive: most shared words first (timm's names are words joined by
/// '_' and '.', so "dinov2_vits14" finds the DINOv2 names), then fewest edits (Levenshtein), then the longest shared prefix.
/// </summary>
internal static class NearestNames
{
    public static IReadOnlyList<string> Of(string name, IEnumerable<string> known, int count = 3)
    {
        string lower = name.ToLowerInvariant();
        var words = Words(lower);
        return known
            .Select(k => (Name: k, Shared: Words(k.ToLowerInvariant()).Count(words.Contains), Distance: Distance(lower, k.ToLowerInvariant()),
                          Prefix: SharedPrefix(lower, k.ToLowerInvariant())))
            .OrderByDescending(c => c.Shared).ThenBy(c => c.Distance).ThenByDescending(c => c.Prefix).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(count).Select(c => c.Name).ToArray();
    }

    private static HashSet<string> Words(string name) => new(name.Split('_', '.'), StringComparer.Ordinal);

    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static int SharedPrefix(string a, string b)
    {
        int n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return n;
    }
}
