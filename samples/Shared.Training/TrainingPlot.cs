using ScottPlot;
using ShapedVit.Training;

namespace ShapedVit.Samples.Shared;

/// <summary>Loss (left axis) and accuracy (right axis) per epoch, as a PNG.</summary>
public static class TrainingPlot
{
    /// <summary>
    /// The plot of <paramref name="history"/>, titled <paramref name="title"/> (what ran: the sample, the data, from
    /// scratch, fine-tune or linear probe); <paramref name="evaluatedOn"/> names the images of each epoch's evaluation.
    /// </summary>
    public static byte[] RenderPng(IReadOnlyList<EpochRecord> history, string title, string evaluatedOn, int width = 900, int height = 500)
    {
        var plot = new Plot();
        double[] epochs = history.Select(r => (double)r.Epoch).ToArray();
        var trainLoss = plot.Add.Scatter(epochs, history.Select(r => r.TrainLoss).ToArray());
        trainLoss.LegendText = "train loss (smoothed labels, augmented)";
        var testLoss = plot.Add.Scatter(epochs, history.Select(r => r.TestLoss).ToArray());
        testLoss.LegendText = $"{evaluatedOn} loss";
        var trainAccuracy = plot.Add.Scatter(epochs, history.Select(r => 100 * r.TrainAccuracy).ToArray());
        trainAccuracy.LegendText = "train accuracy %";
        trainAccuracy.Axes.YAxis = plot.Axes.Right;
        trainAccuracy.LinePattern = LinePattern.Dashed;
        var testAccuracy = plot.Add.Scatter(epochs, history.Select(r => 100 * r.TestAccuracy).ToArray());
        testAccuracy.LegendText = $"{evaluatedOn} accuracy %";
        testAccuracy.Axes.YAxis = plot.Axes.Right;
        testAccuracy.LinePattern = LinePattern.Dashed;
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.Axes.Right.Label.Text = "accuracy %";
        plot.ShowLegend(Alignment.MiddleRight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
