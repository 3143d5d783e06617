namespace ShapedVit.Samples.Tests;

/// <summary>
/// Tests that train draw from torch's global random generator (dropout, drop path) and depend on its thread count, which
/// any other test may touch: this collection runs alone, after the parallel ones, its tests one after another.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingCollection
{
    public const string Name = "Training (torch's global random state)";
}
