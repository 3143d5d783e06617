namespace ShapedVit.Training;

/// <summary>One non-zero cell of a <see cref="ConfusionMatrix"/>: how many images of a true class were predicted as a class.</summary>
/// <param name="TrueClass">The images' class.</param>
/// <param name="PredictedClass">The class the model gave them.</param>
/// <param name="Count">How many images; never 0.</param>
public readonly record struct ConfusionCell(int TrueClass, int PredictedClass, long Count);

/// <summary>
/// Counts of [true class, predicted class] kept by their non-zero cells only: its memory grows with the pairs observed
/// (at most one per image added) and with the class count, never with the class count squared. A dense table would
/// need 3.8 GB for ImageNet-21k's 21,843 classes; this one holds a few bytes per class and per observed pair. Every
/// cell can still be read (<see cref="this[int, int]"/>, 0 where nothing was counted), and <see cref="Cells"/> lists
/// the non-zero ones.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly Dictionary<long, long> counts = [];
    private readonly long[] classTotals;

    /// <summary>An empty matrix of <paramref name="classes"/> classes.</summary>
    /// <param name="classes">Classes, at least 1.</param>
    public ConfusionMatrix(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        Classes = classes;
        classTotals = new long[classes];
    }

    /// <summary>Classes per side.</summary>
    public int Classes { get; }

    /// <summary>Images counted.</summary>
    public long Total { get; private set; }

    /// <summary>Images whose predicted class is their true class (the diagonal's sum).</summary>
    public long Correct { get; private set; }

    /// <summary>Cells that are not 0.</summary>
    public int NonZeroCells => counts.Count;

    /// <summary>Images of <paramref name="trueClass"/> predicted as <paramref name="predictedClass"/>; 0 for a pair never counted.</summary>
    public long this[int trueClass, int predictedClass]
    {
        get
        {
            CheckClass(trueClass, nameof(trueClass));
            CheckClass(predictedClass, nameof(predictedClass));
            return counts.GetValueOrDefault(Key(trueClass, predictedClass));
        }
    }

    /// <summary>Counts <paramref name="count"/> images of <paramref name="trueClass"/> predicted as <paramref name="predictedClass"/>.</summary>
    /// <param name="trueClass">The images' class, 0 to <see cref="Classes"/> - 1.</param>
    /// <param name="predictedClass">The predicted class, 0 to <see cref="Classes"/> - 1.</param>
    /// <param name="count">How many, at least 1.</param>
    public void Add(int trueClass, int predictedClass, long count = 1)
    {
        CheckClass(trueClass, nameof(trueClass));
        CheckClass(predictedClass, nameof(predictedClass));
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        long key = Key(trueClass, predictedClass);
        counts[key] = checked(counts.GetValueOrDefault(key) + count);
        classTotals[trueClass] = checked(classTotals[trueClass] + count);
        Total = checked(Total + count);
        if (trueClass == predictedClass) Correct += count;
    }

    /// <summary>Images of <paramref name="trueClass"/> counted (its row's sum).</summary>
    public long ClassTotal(int trueClass)
    {
        CheckClass(trueClass, nameof(trueClass));
        return classTotals[trueClass];
    }

    /// <summary>Fraction of <paramref name="trueClass"/>'s images predicted as it (recall); NaN for a class with no images.</summary>
    public double ClassAccuracy(int trueClass)
    {
        long total = ClassTotal(trueClass);
        return total == 0 ? double.NaN : (double)this[trueClass, trueClass] / total;
    }

    /// <summary>The non-zero cells, by true class, then predicted class (a new sorted list on each call).</summary>
    public IReadOnlyList<ConfusionCell> Cells()
    {
        var cells = new List<ConfusionCell>(counts.Count);
        foreach (var (key, count) in counts) cells.Add(new ConfusionCell((int)(key / Classes), (int)(key % Classes), count));
        cells.Sort((a, b) => a.TrueClass != b.TrueClass ? a.TrueClass.CompareTo(b.TrueClass) : a.PredictedClass.CompareTo(b.PredictedClass));
        return cells;
    }

    private long Key(int trueClass, int predictedClass) => (long)trueClass * Classes + predictedClass;

    private void CheckClass(int index, string name)
    {
        if ((uint)index >= (uint)Classes)
            throw new ArgumentOutOfRangeException(name, index, $"Class {index} is outside the {Classes} classes of the confusion matrix.");
    }
}
