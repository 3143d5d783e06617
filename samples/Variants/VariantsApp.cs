using System.Globalization;
using ShapedVit.Samples.Shared;
using TorchSharp;

namespace ShapedVit.Samples.Variants;

/// <summary>Prints the ViT family from the generated compile-time constants, then times a forward pass of each model small enough here.</summary>
public static class VariantsApp
{
    /// <summary>Runs the command line; 0 on success, 2 for a command-line mistake (one line on <paramref name="error"/>).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var options = VariantsOptions.Parse(args, output, error, out int exitCode);
        if (options is null) return exitCode;
        if (options.Json)
        {
            output.WriteLine(VariantCatalog.ToJson(VariantCatalog.All));
            return 0;
        }

        if (options.Timm)
        {
            TimmCatalogue.Write(output);
            return 0;
        }

        output.WriteLine("Vision Transformers declared with ShapedVit (numbers from generated constants)");
        string[] header = ["Model", "Input", "Patch grid", "Tokens", "Embed/Depth/Heads", "Parameters", "GMACs"];
        var rows = VariantCatalog.All.Select(v => new[]
        {
            v.Name, $"{v.Image[0]}x{v.Image[1]}x{v.Image[2]}", $"{v.Image[0] / v.Patch[0]}x{v.Image[1] / v.Patch[1]} of {v.Patch[0]}px",
            v.Tokens.ToString(CultureInfo.InvariantCulture), $"{v.Embed}/{v.Depth}/{v.Heads}",
            v.Parameters.ToString("N0", CultureInfo.InvariantCulture), (v.Macs / 1e9).ToString("0.00", CultureInfo.InvariantCulture),
        }).ToList();
        WriteTable(output, header, [false, false, false, true, false, true, true], rows);
        output.WriteLine();
        foreach (var v in VariantCatalog.All) output.WriteLine($"{v.Name,-10} {v.Trace}");
        output.WriteLine($"\ntimm's names: {ShapedVit.Models.Timm.Names.Count} architectures, {ShapedVit.Models.Timm.PretrainedNames.Count} pretrained tags (variants --timm lists them)");

        if (!options.Forward) return 0;
        var device = SampleCommandLine.ResolveDevice(options.Device, error, out var reason);
        output.WriteLine($"\nForward pass, batch 1, float32, on {reason}, {torch.get_num_threads()} threads (median of 3 after a warm-up):");
        foreach (var v in VariantCatalog.All)
        {
            if (v.Parameters > options.MaxParameters)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {v.Name,-10} skipped: {v.Parameters:N0} parameters is over --max-params {options.MaxParameters:N0}"));
                continue;
            }
            double seconds = VariantCatalog.TimeForward(v, device);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {v.Name,-10} {seconds * 1000,8:0.0} ms  ({v.Macs * 2 / seconds / 1e9:0.0} GFLOP/s)"));
        }
        return 0;
    }

    /// <summary>A plain-text table (no colour or box codes, so pipes and logs read it): a rule under the header.</summary>
    private static void WriteTable(TextWriter output, string[] header, bool[] rightAligned, IReadOnlyList<string[]> rows)
    {
        int[] widths = header.Select((h, c) => Math.Max(h.Length, rows.Max(r => r[c].Length))).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((cell, c) => rightAligned[c] ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd();
        output.WriteLine(Line(header));
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows) output.WriteLine(Line(row));
    }
}
