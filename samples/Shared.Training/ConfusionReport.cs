using System.Globalization;
using ScottPlot;
using ShapedVit.Checkpoints;
using ShapedVit.IO;
using ShapedVit.Training;
using Spectre.Console;

namespace ShapedVit.Samples.Shared;

/// <summary>
/// The confusion matrix three ways: on the console (the whole table for a few classes, a bounded summary for many), as a
/// CSV with every count (a matrix for up to a thousand classes, the non-zero cells beyond), and as a picture (classes
/// grouped into blocks when there are more than fit). Each reads the matrix's non-zero cells, so the work and memory
/// grow with the images evaluated and the class count, not with its square.
/// </summary>
public static class ConfusionReport
{
    /// <summary>Up to this many classes the console gets the whole table; beyond it, lines bounded by <see cref="SummaryRows"/>.</summary>
    public const int MaxTableClasses = 20;

    /// <summary>How many of the weakest classes and of the most confused pairs the summary lists.</summary>
    public const int SummaryRows = 10;

    /// <summary>Up to this many classes the CSV is the whole matrix; beyond it, one line per non-zero cell.</summary>
    public const int MaxMatrixCsvClasses = 1000;

    /// <summary>The picture has at most this many cells per side; more classes are summed into blocks of neighbours.</summary>
    public const int MaxPictureCells = 100;

    /// <summary>
    /// Prints the matrix of <paramref name="evaluation"/>: a table with each class's accuracy for up to
    /// <see cref="MaxTableClasses"/> classes, otherwise a summary; <paramref name="files"/> names where the full matrix went.
    /// </summary>
    public static void Print(Evaluation evaluation, string evaluatedOn, TextWriter output, bool plain, string? files = null)
    {
        int classes = evaluation.ClassNames.Count;
        if (classes <= MaxTableClasses)
            PrintTable(evaluation, evaluatedOn, output, plain);
        else
            PrintSummary(evaluation, evaluatedOn, output);
        if (files is not null) output.WriteLine($"confusion matrix ({evaluatedOn}, {Plural(classes, "class", "classes")}): {files}");
    }

    private static void PrintTable(Evaluation evaluation, string evaluatedOn, TextWriter output, bool plain)
    {
        var console = TrainingConsole.CreateConsole(output, plain);
        var names = evaluation.ClassNames;
        // The title on a line of its own: Spectre wraps a table's title to the table's width.
        output.WriteLine($"{evaluatedOn} confusion matrix (rows: true class, columns: predicted):");
        var confusion = new Table();
        confusion.AddColumn("true \\ predicted");
        for (int p = 0; p < names.Count; p++) confusion.AddColumn(new TableColumn(p.ToString(CultureInfo.InvariantCulture)).RightAligned());
        confusion.AddColumn(new TableColumn("accuracy").RightAligned());
        for (int t = 0; t < names.Count; t++)
        {
            var row = new List<string> { Markup.Escape($"{t} {UntrustedText.Display(names[t], 40)}") };
            for (int p = 0; p < names.Count; p++)
            {
                string n = evaluation.Confusion[t, p].ToString(CultureInfo.InvariantCulture);
                row.Add(t == p ? $"[bold]{n}[/]" : n);
            }
            row.Add(evaluation.ClassAccuracy(t).ToString("P1", CultureInfo.InvariantCulture));
            confusion.AddRow(row.ToArray());
        }
        console.Write(confusion);
    }

    /// <summary>At most 2 x <see cref="SummaryRows"/> + 4 lines, whatever the class count: the weakest classes and the most confused pairs.</summary>
    private static void PrintSummary(Evaluation evaluation, string evaluatedOn, TextWriter output)
    {
        var names = evaluation.ClassNames;
        int classes = names.Count;
        var confusion = evaluation.Confusion;
        // A min-heap of the largest off-diagonal counts; among equal counts the later pair goes first, so ties keep the lowest classes.
        var mostConfused = new PriorityQueue<(int True, int Predicted), (long Count, long Order)>();
        foreach (var (t, p, n) in confusion.Cells())
        {
            if (t == p) continue;
            var priority = (n, -((long)t * classes + p));
            if (mostConfused.Count < SummaryRows) mostConfused.Enqueue((t, p), priority);
            else if (mostConfused.TryPeek(out _, out var smallest) && priority.CompareTo(smallest) > 0) mostConfused.EnqueueDequeue((t, p), priority);
        }
        var present = Enumerable.Range(0, classes).Where(t => confusion.ClassTotal(t) > 0).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{evaluatedOn} confusion matrix: {Plural(classes, "class", "classes")}, too many for a table; {Plural(present.Count, "class", "classes")} among the {Plural(evaluation.Count, "image", "images")}"));
        var weakest = present.Select(t => (Class: t, Accuracy: confusion.ClassAccuracy(t))).OrderBy(c => c.Accuracy).ThenBy(c => c.Class).Take(SummaryRows).ToList();
        output.WriteLine($"  lowest accuracy ({weakest.Count} of {present.Count}):");
        foreach (var (t, accuracy) in weakest)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {accuracy,7:P1}  {t} {UntrustedText.Display(names[t], 40)} ({confusion[t, t]} of {confusion.ClassTotal(t)})"));
        var pairs = new List<((int True, int Predicted) Pair, long Count)>();
        while (mostConfused.TryDequeue(out var pair, out var priority)) pairs.Add((pair, priority.Count));
        pairs.Reverse(); // largest count first, lowest classes first among equal counts
        output.WriteLine($"  most confused ({pairs.Count} pairs, true -> predicted):");
        foreach (var ((t, p), count) in pairs)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {count,7}  {t} {UntrustedText.Display(names[t], 40)} -> {p} {UntrustedText.Display(names[p], 40)}"));
    }

    /// <summary>
    /// What <see cref="WriteCsv"/> writes for <paramref name="classes"/> classes, for the line that names the file:
    /// "every count" (a matrix) up to <see cref="MaxMatrixCsvClasses"/>, otherwise "every non-zero count".
    /// </summary>
    public static string CsvContents(int classes) =>
        classes <= MaxMatrixCsvClasses ? "every count" : "every non-zero count, one line per (true, predicted) pair";

    /// <summary>
    /// Every count as CSV, streamed: up to <see cref="MaxMatrixCsvClasses"/> classes a matrix (a header of the predicted
    /// classes, then one row per true class); beyond, one line per non-zero cell ("true class,predicted class,images"),
    /// so the file grows with the images evaluated rather than with the class count squared (a 21,843-class matrix
    /// would be about 1 GB of zeros).
    /// </summary>
    public static void WriteCsv(Evaluation evaluation, string path) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        var names = evaluation.ClassNames;
        if (names.Count > MaxMatrixCsvClasses)
        {
            writer.Write("true class,predicted class,images\n");
            foreach (var (t, p, n) in evaluation.Confusion.Cells())
            {
                writer.Write(Csv(names[t])); writer.Write(','); writer.Write(Csv(names[p])); writer.Write(',');
                writer.Write(n.ToString(CultureInfo.InvariantCulture)); writer.Write('\n');
            }
            return;
        }
        writer.Write("true \\ predicted");
        foreach (string name in names) { writer.Write(','); writer.Write(Csv(name)); }
        writer.Write('\n');
        for (int t = 0; t < names.Count; t++)
        {
            writer.Write(Csv(names[t]));
            for (int p = 0; p < names.Count; p++)
            {
                writer.Write(',');
                writer.Write(evaluation.Confusion[t, p].ToString(CultureInfo.InvariantCulture));
            }
            writer.Write('\n');
        }
    });

    /// <summary>
    /// The matrix as a heat map of each true class's share per predicted class (rows sum to 1); with more than
    /// <see cref="MaxPictureCells"/> classes, neighbouring classes are summed into blocks first, so the picture's
    /// memory is bounded whatever the class count.
    /// </summary>
    public static byte[] RenderPng(Evaluation evaluation, string title, int size = 800)
    {
        int classes = evaluation.ClassNames.Count;
        int block = (classes + MaxPictureCells - 1) / MaxPictureCells, cells = (classes + block - 1) / block;
        var counts = new double[cells, cells];
        foreach (var (t, p, n) in evaluation.Confusion.Cells()) counts[t / block, p / block] += n;
        for (int r = 0; r < cells; r++)
        {
            double total = 0;
            for (int c = 0; c < cells; c++) total += counts[r, c];
            if (total > 0) for (int c = 0; c < cells; c++) counts[r, c] /= total;
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(counts);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        plot.Title(block == 1 ? title : $"{title} ({block} classes per cell)");
        plot.XLabel("predicted class");
        plot.YLabel("true class (share of its images)");
        return plot.GetImageBytes(size, size, ImageFormat.Png);
    }

    /// <summary>"1 class", "5 classes".</summary>
    public static string Plural(long count, string one, string many) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many)}");

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
