using ShapedVit.Training;

namespace ShapedVit.Training.Tests;

/// <summary>The confusion matrix keeps its non-zero cells only, and reads like the dense table it replaces.</summary>
public class ConfusionMatrixTests
{
    [Fact]
    public void Random_counts_read_back_as_a_dense_table_would()
    {
        const int classes = 37;
        var random = new Random(27);
        var dense = new long[classes, classes];
        var matrix = new ConfusionMatrix(classes);
        for (int i = 0; i < 500; i++)
        {
            int t = random.Next(classes), p = random.Next(3) == 0 ? t : random.Next(classes), n = 1 + random.Next(3);
            dense[t, p] += n;
            matrix.Add(t, p, n);
        }
        long total = 0, correct = 0;
        int nonZero = 0;
        for (int t = 0; t < classes; t++)
        {
            long row = 0;
            for (int p = 0; p < classes; p++)
            {
                Assert.Equal(dense[t, p], matrix[t, p]);
                row += dense[t, p];
                if (dense[t, p] != 0) nonZero++;
            }
            Assert.Equal(row, matrix.ClassTotal(t));
            Assert.Equal(row == 0 ? double.NaN : (double)dense[t, t] / row, matrix.ClassAccuracy(t));
            total += row; correct += dense[t, t];
        }
        Assert.Equal((total, correct, nonZero), (matrix.Total, matrix.Correct, matrix.NonZeroCells));
        var cells = matrix.Cells();
        Assert.Equal(nonZero, cells.Count);
        Assert.All(cells, c => Assert.Equal(dense[c.TrueClass, c.PredictedClass], c.Count));
        Assert.Equal(cells.OrderBy(c => c.TrueClass).ThenBy(c => c.PredictedClass), cells);

        var evaluation = new Evaluation(0.5, matrix, Enumerable.Range(0, classes).Select(i => $"c{i}").ToArray());
        Assert.Equal((total, (double)correct / total), (evaluation.Count, evaluation.Accuracy));
    }

    [Fact]
    public void Memory_is_a_cell_per_observed_pair_not_classes_squared()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var matrix = new ConfusionMatrix(21_843); // ImageNet-21k: a dense table of longs would be 3.8 GB
        for (int i = 0; i < 1000; i++) matrix.Add(i * 21, (i * 7919) % 21_843);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1000, matrix.NonZeroCells);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes for 21,843 classes and 1,000 cells");
    }

    [Fact]
    public void Classes_outside_the_matrix_are_refused_by_name()
    {
        var matrix = new ConfusionMatrix(3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Add(1, 3));
        Assert.Equal("Class 3 is outside the 3 classes of the confusion matrix. (Parameter 'predictedClass')\nActual value was 3.", e.Message.Replace("\r\n", "\n"));
        e = Assert.Throws<ArgumentOutOfRangeException>(() => matrix[-1, 0]);
        Assert.Equal("Class -1 is outside the 3 classes of the confusion matrix. (Parameter 'trueClass')\nActual value was -1.", e.Message.Replace("\r\n", "\n"));
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Add(0, 0, 0));
        Assert.Equal(0, matrix.Total);
        var mismatch = Assert.Throws<ArgumentException>(() => new Evaluation(0, matrix, ["a", "b"]));
        Assert.Equal("The confusion matrix has 3 classes, but 2 class names were given. (Parameter 'classNames')", mismatch.Message);
    }
}
