using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Runtime;

/// <summary>
/// IVisionTransformer&lt;TSelf&gt;.Create and IVisionTransformer.CreateLike: how generic code and code that holds only an
/// instance build another model like a generated one, without reflection.
/// </summary>
public class FactoryTests
{
    private static TModel Build<TModel>(int? numClasses, long seed) where TModel : IVisionTransformer<TModel> => TModel.Create(numClasses, seed);

    private static void SameWeights(nn.Module<Tensor, Tensor> expected, nn.Module<Tensor, Tensor> actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (var key in a.Keys) Assert.True(a[key].allclose(b[key], 0, 0), key);
    }

    [Fact]
    public void Create_is_the_constructor_with_a_declared_class_count()
    {
        using var expected = new SmallVit(seed: 5);
        using var created = Build<SmallVit>(null, 5);
        using var withCount = Build<SmallVit>(SmallVit.NumClasses, 5);
        SameWeights(expected, created);
        SameWeights(expected, withCount);
    }

    [Fact]
    public void Create_refuses_a_class_count_that_differs_from_the_declared_one()
    {
        var error = Assert.Throws<ArgumentException>(() => Build<SmallVit>(7, 0));
        Assert.Equal("SmallVit declares NumClasses = 10 and cannot be built with 7: declare RuntimeNumClasses = true for a class count given at run time. (Parameter 'numClasses')",
                     error.Message);
    }

    [Fact]
    public void Create_takes_a_run_time_class_count_and_requires_it()
    {
        using var expected = new FolderVit(numClasses: 7, seed: 3);
        using var created = Build<FolderVit>(7, 3);
        SameWeights(expected, created);
        Assert.Equal(7, created.NumClasses);
        var error = Assert.Throws<ArgumentNullException>(() => Build<FolderVit>(null, 0));
        Assert.Equal("FolderVit takes its class count at run time (RuntimeNumClasses = true): give numClasses. (Parameter 'numClasses')", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Build<FolderVit>(-1, 0));
        using var headless = Build<FolderVit>(0, 0);   // timm's num_classes=0
        Assert.Equal(0, headless.NumClasses);
    }

    [Fact]
    public void CreateLike_builds_the_same_type_and_class_count_from_an_instance()
    {
        using var folder = new FolderVit(numClasses: 9, seed: 1);
        using var folderLike = ((IVisionTransformer)folder).CreateLike(seed: 2);
        using var folderExpected = new FolderVit(numClasses: 9, seed: 2);
        Assert.IsType<FolderVit>(folderLike);
        SameWeights(folderExpected, folderLike);

        using var nested = new Outer.Nested.NestedVit(seed: 1);
        using var nestedLike = ((IVisionTransformer)nested).CreateLike(seed: 4);
        using var nestedExpected = new Outer.Nested.NestedVit(seed: 4);
        Assert.IsType<Outer.Nested.NestedVit>(nestedLike);
        SameWeights(nestedExpected, nestedLike);
    }
}
