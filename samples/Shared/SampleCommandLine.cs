using System.CommandLine;
using System.Text.RegularExpressions;
using TorchSharp;

namespace ShapedVit.Samples.Shared;

/// <summary>What every sample's command line does alike: device names, unknown options, colour, the CUDA note.</summary>
public static partial class SampleCommandLine
{
    /// <summary>Exit code of a command-line mistake (unknown option, bad value); 1 is for failures of the work itself.</summary>
    public const int UsageError = 2;

    /// <summary>
    /// Parses <paramref name="args"/> with <paramref name="command"/>. A mistake is one <c>error:</c> line with
    /// <paramref name="usage"/> on <paramref name="error"/> (returns <see cref="UsageError"/>); <c>--help</c> and
    /// <c>--version</c> are System.CommandLine's own (returns 0); null means: run the work with <paramref name="parsed"/>.
    /// </summary>
    public static int? ParseOrExit(RootCommand command, IReadOnlyList<string> args, string usage, TextWriter output, TextWriter error, out ParseResult parsed)
    {
        parsed = command.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"error: {OneLine(parsed.Errors[0].Message)} ({usage})");
            return UsageError;
        }
        // The samples give their commands no action, so an action here is the built-in help's or version's.
        if (parsed.Action is not null)
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
        return null;
    }

    /// <summary>The device names <see cref="Devices.Resolve"/> accepts, in words.</summary>
    public const string DeviceChoices = "cpu, cuda, cuda:N or auto";

    /// <summary>One line saying what is wrong with a <c>--device</c> value, or null for cpu, cuda, cuda:N, auto.</summary>
    public static string? DeviceProblem(string? device) =>
        device is not null && DeviceName().IsMatch(device.Trim()) ? null : $"--device '{device}' is not a device: use {DeviceChoices}.";

    [GeneratedRegex("^(cpu|auto|cuda|cuda:[0-9]+)$", RegexOptions.IgnoreCase)]
    private static partial Regex DeviceName();

    /// <summary>The first of <paramref name="values"/> that looks like an option (starts with '-', not a negative number), or null.</summary>
    public static string? OptionLike(IEnumerable<string> values) =>
        values.FirstOrDefault(v => v.Length > 1 && v[0] == '-' && !double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out _));

    /// <summary>
    /// Colour and cursor codes only for a terminal: the output is the process's console, not redirected to a file or pipe,
    /// and <c>NO_COLOR</c> (no-color.org) is unset or empty.
    /// </summary>
    public static bool UseColour(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && !NoColor;

    /// <summary>A message on one line: parser messages list choices on several lines, errors stay on one.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Whether the <c>NO_COLOR</c> environment variable asks for no colour (set and not empty).</summary>
    public static bool NoColor => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    /// <summary>
    /// <see cref="Devices.Resolve"/>, and a "note:" line on <paramref name="error"/> when CUDA was asked for but the CPU is
    /// used, so no sample falls back silently.
    /// </summary>
    public static torch.Device ResolveDevice(string requested, TextWriter error, out string reason)
    {
        var device = Devices.Resolve(requested, out reason);
        if (requested.Trim().StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && device.type != DeviceType.CUDA)
            error.WriteLine($"note: {reason}");
        return device;
    }
}
