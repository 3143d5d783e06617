using System.Globalization;
using ShapedVit.Samples.Shared;

namespace ShapedVit.Samples.Variants;

/// <summary>The command line: <c>variants [--json] [--no-forward] [--max-params N] [--device D] [--help]</c>.</summary>
public sealed record VariantsOptions(bool Json, bool Forward, long MaxParameters)
{
    public const string Usage = "Usage: variants [--json] [--no-forward] [--max-params N] [--device cpu|cuda|cuda:N|auto] [--help]";

    /// <summary>The device of the timed forward passes.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>--help or -h: print <see cref="Usage"/> and exit 0.</summary>
    public bool Help { get; init; }

    /// <summary>Parses the arguments; returns null and a one-line error (with the usage) for anything it does not understand.</summary>
    public static VariantsOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        bool json = false, forward = true, help = false;
        string device = "cpu";
        long maxParameters = 400_000_000; // ViT-H/14 (632M) needs minutes on 2 cores: opt in with a larger limit
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--json": json = true; break;
                case "--no-forward": forward = false; break;
                case "--help" or "-h" or "-?": help = true; break;
                case "--max-params":
                    if (i + 1 >= args.Count || !long.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out maxParameters))
                    {
                        error = $"--max-params needs a whole number of parameters, for example --max-params 100000000. {Usage}";
                        return null;
                    }
                    i++;
                    break;
                case "--device":
                    if (i + 1 >= args.Count || SampleCommandLine.DeviceProblem(args[i + 1]) is { } problem)
                    {
                        error = $"{(i + 1 >= args.Count ? $"--device needs a value: {SampleCommandLine.DeviceChoices}." : SampleCommandLine.DeviceProblem(args[i + 1]))} {Usage}";
                        return null;
                    }
                    device = args[++i];
                    break;
                default:
                    error = $"Unknown argument '{args[i]}'. {Usage}";
                    return null;
            }
        }
        error = null;
        return new VariantsOptions(json, forward && !json, maxParameters) { Device = device, Help = help };
    }
}
