using System.Globalization;
using ShapedVit;
using ShapedVit.Samples.Variants;
using Spectre.Console;
using TorchSharp;

// Prints the ViT family from the generated compile-time constants, then times a forward pass of each model small enough here.
var options = VariantsOptions.Parse(args, out var error);
if (options is null)
{
    Console.Error.WriteLine(error);
    return 2;
}
if (options.Json)
{
    Console.WriteLine(VariantCatalog.ToJson(VariantCatalog.All));
    return 0;
}
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160; // logs and CI: don't wrap the table at 80 columns

var table = new Table().Title("Vision Transformers declared with ShapedVit (numbers from generated constants)")
    .AddColumns("Model", "Input", "Patch grid", "Tokens", "Embed/Depth/Heads", "Parameters", "GMACs");
foreach (var v in VariantCatalog.All)
{
    table.AddRow(v.Name, $"{v.Image[0]}x{v.Image[1]}x{v.Image[2]}", $"{v.Image[0] / v.Patch[0]}x{v.Image[1] / v.Patch[1]} of {v.Patch[0]}px",
        v.Tokens.ToString(CultureInfo.InvariantCulture), $"{v.Embed}/{v.Depth}/{v.Heads}",
        v.Parameters.ToString("N0", CultureInfo.InvariantCulture), (v.Macs / 1e9).ToString("0.00", CultureInfo.InvariantCulture));
}
AnsiConsole.Write(table);
foreach (var v in VariantCatalog.All) AnsiConsole.MarkupLineInterpolated($"[grey]{v.Name,-10}[/] {v.Trace}");

if (!options.Forward) return 0;
var device = Devices.Resolve("cpu", out var reason);
AnsiConsole.MarkupLineInterpolated($"\nForward pass, batch 1, float32, on {reason}, {torch.get_num_threads()} threads (median of 3 after a warm-up):");
foreach (var v in VariantCatalog.All)
{
    if (v.Parameters > options.MaxParameters)
    {
        AnsiConsole.MarkupLineInterpolated($"  {v.Name,-10} skipped: {v.Parameters:N0} parameters is over --max-params {options.MaxParameters:N0}");
        continue;
    }
    double seconds = VariantCatalog.TimeForward(v);
    AnsiConsole.MarkupLineInterpolated($"  {v.Name,-10} {seconds * 1000,8:0.0} ms  ({v.Macs * 2 / seconds / 1e9:0.0} GFLOP/s)");
}
return 0;
