using System.CommandLine;
using ShapedVit.Samples.Shared;

namespace ShapedVit.Samples.Variants;

/// <summary>The command line: <c>variants [--json] [--no-forward] [--max-params N] [--device D] [--timm] [--help]</c>.</summary>
public sealed record VariantsOptions(bool Json, bool Forward, long MaxParameters)
{
    public const string Usage = "usage: variants [--json] [--no-forward] [--max-params N] [--device cpu|cuda|cuda:N|auto] [--timm] [--help]";

    /// <summary>ViT-H/14 (632 M parameters) needs minutes on 2 cores: a larger limit opts in.</summary>
    public const long DefaultMaxParameters = 400_000_000;

    /// <summary>The device of the timed forward passes.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>List timm's catalogue (ShapedVit.Models) by family and build a few of its tiny and small models.</summary>
    public bool Timm { get; init; }

    /// <summary>
    /// Parses the arguments. Returns the options, or null with <paramref name="exitCode"/>: 0 after <c>--help</c> (printed
    /// on <paramref name="output"/>), 2 after a mistake (one <c>error:</c> line with the usage on <paramref name="error"/>).
    /// </summary>
    public static VariantsOptions? Parse(IReadOnlyList<string> args, TextWriter output, TextWriter error, out int exitCode)
    {
        var json = new Option<bool>("--json") { Description = "Print the catalogue as JSON (name, image, patch, embed, depth, heads, classes, parameters, macs) and time nothing." };
        var noForward = new Option<bool>("--no-forward") { Description = "Print the table only; time no forward pass." };
        var maxParameters = new Option<long>("--max-params")
        {
            Description = $"Time only models with at most this many parameters (default {DefaultMaxParameters:N0}: ViT-H/14 is left out).",
            DefaultValueFactory = _ => DefaultMaxParameters,
        };
        var device = new Option<string>("--device") { Description = $"The device of the timed forward passes: {SampleCommandLine.DeviceChoices}.", DefaultValueFactory = _ => "cpu" };
        var timm = new Option<bool>("--timm") { Description = "List timm's catalogue by family (Timm.Names) and build a few of its tiny and small models, printing their shape traces." };
        var root = new RootCommand("Prints the paper's ViT variants from generated constants and times a forward pass of each.") { json, noForward, maxParameters, device, timm };
        if (SampleCommandLine.ParseOrExit(root, args, Usage, output, error, out var parsed) is int exit)
        {
            exitCode = exit;
            return null;
        }
        bool asJson = parsed.GetValue(json);
        var options = new VariantsOptions(asJson, !parsed.GetValue(noForward) && !asJson, parsed.GetValue(maxParameters)) { Device = parsed.GetValue(device)!, Timm = parsed.GetValue(timm) };
        string? problem = options.MaxParameters < 0 ? $"--max-params must not be negative (got {options.MaxParameters})." : SampleCommandLine.DeviceProblem(options.Device);
        if (problem is not null)
        {
            error.WriteLine($"error: {problem} ({Usage})");
            exitCode = SampleCommandLine.UsageError;
            return null;
        }
        exitCode = 0;
        return options;
    }
}
