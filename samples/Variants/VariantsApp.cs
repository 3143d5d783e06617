using System.Globalization;
using ShapedVit.Samples.Shared;
using Spectre.Console;
using TorchSharp;

namespace ShapedVit.Samples.Variants;

/// <summary>Prints the ViT family from the generated compile-time constants, then times a forward pass of each model small enough here.</summary>
public static class VariantsApp
{
    /// <summary>Runs the command line; 0 on success, 2 for a command-line mistake (one line on <paramref name="error"/>).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var options = VariantsOptions.Parse(args, out var problem);
        if (options is null)
        {
            error.WriteLine(problem);
            return SampleCommandLine.UsageError;
        }
        if (options.Help)
        {
            output.WriteLine("Prints the paper's ViT variants from generated constants and times a forward pass of each.");
            output.WriteLine(VariantsOptions.Usage);
            return 0;
        }
        if (options.Json)
        {
            output.WriteLine(VariantCatalog.ToJson(VariantCatalog.All));
            return 0;
        }
        // Colour and markup codes only on a terminal that wants them (not into a pipe or file, not with NO_COLOR).
        bool colour = SampleCommandLine.UseColour(output);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = colour ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!colour) console.Profile.Width = 160; // logs and CI: don't wrap the table at 80 columns

        var table = new Table().Title("Vision Transformers declared with ShapedVit (numbers from generated constants)")
            .AddColumns("Model", "Input", "Patch grid", "Tokens", "Embed/Depth/Heads", "Parameters", "GMACs");
        foreach (var v in VariantCatalog.All)
        {
            table.AddRow(v.Name, $"{v.Image[0]}x{v.Image[1]}x{v.Image[2]}", $"{v.Image[0] / v.Patch[0]}x{v.Image[1] / v.Patch[1]} of {v.Patch[0]}px",
                v.Tokens.ToString(CultureInfo.InvariantCulture), $"{v.Embed}/{v.Depth}/{v.Heads}",
                v.Parameters.ToString("N0", CultureInfo.InvariantCulture), (v.Macs / 1e9).ToString("0.00", CultureInfo.InvariantCulture));
        }
        console.Write(table);
        foreach (var v in VariantCatalog.All) console.MarkupLineInterpolated($"[grey]{v.Name,-10}[/] {v.Trace}");

        if (!options.Forward) return 0;
        var device = SampleCommandLine.ResolveDevice(options.Device, error, out var reason);
        console.MarkupLineInterpolated($"\nForward pass, batch 1, float32, on {reason}, {torch.get_num_threads()} threads (median of 3 after a warm-up):");
        foreach (var v in VariantCatalog.All)
        {
            if (v.Parameters > options.MaxParameters)
            {
                console.MarkupLineInterpolated($"  {v.Name,-10} skipped: {v.Parameters:N0} parameters is over --max-params {options.MaxParameters:N0}");
                continue;
            }
            double seconds = VariantCatalog.TimeForward(v, device);
            console.MarkupLineInterpolated($"  {v.Name,-10} {seconds * 1000,8:0.0} ms  ({v.Macs * 2 / seconds / 1e9:0.0} GFLOP/s)");
        }
        return 0;
    }
}
