using TorchSharp;

namespace ShapedVit.Tests.Runtime;

/// <summary>A declaration with RuntimeNumClasses = true: every shape proven at compile time except the logits, [N].</summary>
public class RuntimeClassCountTests
{
    [Theory, InlineData(7), InlineData(1), InlineData(300)]
    public void The_head_takes_the_constructors_class_count_and_the_counts_follow_it(int classes)
    {
        using var model = new FolderVit(numClasses: classes, seed: 0);
        model.eval();
        Assert.Equal(classes, model.NumClasses);
        using (torch.no_grad())
        using (var images = torch.randn(2, 3, 32, 32))
        using (var logits = model.forward(images))
            Assert.Equal(new long[] { 2, classes }, logits.shape);
        long actual = model.parameters().Sum(p => p.numel());
        Assert.Equal(actual, model.ParameterCount);
        Assert.Equal(actual, FolderVit.ParameterCountFor(classes));
        IVisionTransformer vit = model;
        Assert.Equal(classes, vit.Spec.NumClasses);
        Assert.Equal(actual, vit.Geometry.ParameterCount);
    }

    [Fact]
    public void Every_other_shape_is_a_compile_time_constant_and_the_trace_shows_N()
    {
        Assert.Equal("[32,32,3] -> [16,64] -> [17,64] -> 2 x block [17,64] -> [64] -> [N]", FolderVit.ShapeTrace);
        Assert.Equal(17, FolderVit.SequenceLength);
        Assert.True(FolderVit.Spec.RuntimeNumClasses);
        Assert.Equal(0, FolderVit.Spec.NumClasses);
        // The same weights as a declared constant class count: the backbone plus (64 + 1) per class.
        Assert.Equal(SmallVitLike.ParameterCount, FolderVit.ParameterCountFor(10));
    }

    [Fact]
    public void A_negative_class_count_is_refused_with_its_value()
    {
        // 0 was refused too until the timm catalogue needed timm's num_classes=0 (headless) for a run-time class count.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FolderVit(numClasses: -1, seed: 0));
        Assert.Equal("numClasses", error.ParamName);
        Assert.Equal(-1, error.ActualValue);
    }

    [Fact]
    public void Zero_classes_build_it_headless_as_timm_num_classes_0()
    {
        using var model = new FolderVit(numClasses: 0, seed: 0);
        model.eval();
        Assert.DoesNotContain(model.named_parameters(), p => p.name.StartsWith("head", StringComparison.Ordinal));
        long actual = model.parameters().Sum(p => p.numel());
        Assert.Equal(FolderVit.ParameterCountFor(0), actual);
        Assert.Equal(actual, model.ParameterCount);
        using var noGrad = torch.no_grad();
        using var images = torch.randn(2, 3, 32, 32);
        using var output = model.forward(images);
        Assert.Equal(new long[] { 2, 64 }, output.shape);   // the pooled vector, as timm's head = Identity gives it
        using var features = model.ForwardFeatures(images);
        using var pooled = model.ForwardHead(features, preLogits: true);
        Assert.True(output.allclose(pooled, 0, 0));
        using var intermediates = model.ForwardWithIntermediates(images);
        Assert.Null(intermediates.Logits);
        IVisionTransformer vit = model;
        Assert.Equal(0, vit.Spec.NumClasses);
        Assert.False(vit.Spec.SymbolicNumClasses);   // the instance's trace ends at the pooled vector, not at [N]
        Assert.Equal("[32,32,3] -> [16,64] -> [17,64] -> 2 x block [17,64] -> [64]", vit.Geometry.Trace);
        Assert.Equal(actual, vit.Geometry.ParameterCount);
        // The same backbone keys and shapes as a model with a head.
        using var headed = new FolderVit(numClasses: 3, seed: 0);
        var backbone = model.state_dict();
        var headedBackbone = headed.state_dict().Where(p => !p.Key.StartsWith("head", StringComparison.Ordinal)).ToList();
        Assert.Equal(headedBackbone.Count, backbone.Count);
        foreach (var (key, value) in headedBackbone) Assert.Equal(value.shape, backbone[key].shape);
    }
}

/// <summary>FolderVit's declaration with 10 classes declared as a constant: the two must agree.</summary>
[VisionTransformer(NumClasses = 10)]
[Image(32), Patch(8), Embed(64), Depth(2), Heads(4)]
public partial class SmallVitLike { }
