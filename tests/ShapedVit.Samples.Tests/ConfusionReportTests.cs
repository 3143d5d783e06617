using ShapedVit.Samples.Shared;
using ShapedVit.Testing;
using ShapedVit.Training;

namespace ShapedVit.Samples.Tests;

/// <summary>The confusion report scales with the class count: bounded console lines, a full CSV, a bounded picture.</summary>
public class ConfusionReportTests
{
    /// <summary>Each class's images are mostly right; class i's misses go to class i+1 (and class 0 is never right).</summary>
    private static Evaluation Make(int classes)
    {
        var confusion = new ConfusionMatrix(classes);
        for (int t = 0; t < classes; t++)
        {
            if (t != 0) confusion.Add(t, t, 3);
            confusion.Add(t, (t + 1) % classes, 1 + t % 5);
        }
        return new Evaluation(1.0, confusion, Enumerable.Range(0, classes).Select(i => i == 7 ? "seven, \"quoted\"" : $"c{i}").ToArray());
    }

    [Theory]
    [InlineData(21)]
    [InlineData(2000)]
    public void Many_classes_print_a_bounded_summary(int classes)
    {
        var output = new StringWriter();
        ConfusionReport.Print(Make(classes), "test", output, plain: true, files: "out/confusion.csv");
        var lines = output.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(2 * ConfusionReport.SummaryRows + 4, lines.Length);
        Assert.StartsWith($"test confusion matrix: {classes} classes, too many for a table; {classes} classes among the ", lines[0]);
        Assert.Equal("  lowest accuracy (10 of " + classes + "):", lines[1]);
        Assert.Equal("      0.0 %  0 c0 (0 of 1)", lines[2]);
        Assert.Equal("  most confused (10 pairs, true -> predicted):", lines[12]);
        Assert.Equal("          5  4 c4 -> 5 c5", lines[13]);
        Assert.Equal($"confusion matrix (test, {classes} classes): out/confusion.csv", lines[^1]);
    }

    [Fact]
    public void A_few_classes_print_the_whole_table()
    {
        var output = new StringWriter();
        ConfusionReport.Print(Make(5), "validation", output, plain: true);
        Assert.StartsWith("validation confusion matrix (rows: true class, columns: predicted):", output.ToString());
        Assert.Contains("4 c4", output.ToString());
    }

    [Fact]
    public void The_csv_has_every_count_and_quotes_names_that_need_it()
    {
        using var dir = new TempDirectory();
        string path = dir.File("confusion.csv");
        ConfusionReport.WriteCsv(Make(ConfusionReport.MaxMatrixCsvClasses), path);
        var lines = File.ReadAllLines(path);
        Assert.Equal(1001, lines.Length);
        Assert.StartsWith("true \\ predicted,c0,c1,", lines[0]);
        Assert.Contains(",\"seven, \"\"quoted\"\"\",", lines[0]);
        Assert.Equal(1001, lines[2].Split(',').Length);
        Assert.StartsWith("c1,0,3,2,0,", lines[2]);
        Assert.Equal("every count", ConfusionReport.CsvContents(ConfusionReport.MaxMatrixCsvClasses));
    }

    [Fact]
    public void Beyond_a_thousand_classes_the_csv_lists_the_non_zero_cells()
    {
        using var dir = new TempDirectory();
        string path = dir.File("confusion.csv");
        ConfusionReport.WriteCsv(Make(2000), path);
        var lines = File.ReadAllLines(path);
        Assert.Equal(1 + 1999 + 2000, lines.Length); // the header, the diagonal but class 0's, one miss per class
        Assert.Equal(["true class,predicted class,images", "c0,c1,1", "c1,c1,3", "c1,c2,2"], lines[..4]);
        Assert.Equal("\"seven, \"\"quoted\"\"\",c8,3", lines[15]);
        Assert.Equal(["c1999,c0,5", "c1999,c1999,3"], lines[^2..]);
        Assert.Equal("every non-zero count, one line per (true, predicted) pair", ConfusionReport.CsvContents(2000));
    }

    [Fact]
    public void The_picture_of_thousands_of_classes_is_drawn_in_blocks()
    {
        byte[] png = ConfusionReport.RenderPng(Make(2000), "FineTune: fine-tune, test confusion", size: 300);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }
}
