using System.Globalization;

namespace ShapedVit.Samples.Variants;

/// <summary>The command line: <c>variants [--json] [--no-forward] [--max-params N]</c>.</summary>
public sealed record VariantsOptions(bool Json, bool Forward, long MaxParameters)
{
    public const string Usage = "Usage: variants [--json] [--no-forward] [--max-params N]";

    /// <summary>Parses the arguments; returns null and a one-line error for anything it does not understand.</summary>
    public static VariantsOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        bool json = false, forward = true;
        long maxParameters = 400_000_000; // ViT-H/14 (632M) needs minutes on 2 cores: opt in with a larger limit
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--json": json = true; break;
                case "--no-forward": forward = false; break;
                case "--max-params":
                    if (i + 1 >= args.Count || !long.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out maxParameters))
                    {
                        error = "--max-params needs a whole number of parameters, for example --max-params 100000000";
                        return null;
                    }
                    i++;
                    break;
                default:
                    error = $"Unknown argument '{args[i]}'. {Usage}";
                    return null;
            }
        }
        error = null;
        return new VariantsOptions(json, forward && !json, maxParameters);
    }
}
