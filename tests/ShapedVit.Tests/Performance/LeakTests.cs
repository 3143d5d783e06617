using ShapedVit.Inference;
using ShapedVit.Tests.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Performance;

/// <summary>torch.Tensor.TotalCount is process-wide: no other test may create tensors while these count.</summary>
[CollectionDefinition(nameof(TensorCountingCollection), DisableParallelization = true)]
public sealed class TensorCountingCollection { }

/// <summary>
/// Live tensors stay flat across inference and training loops (counts, never time). A small model keeps this fast;
/// the benchmark project tracks the same counts and RSS over 1000 inference iterations and 200 training steps.
/// </summary>
[Collection(nameof(TensorCountingCollection))]
public class LeakTests
{
    private readonly record struct Counts(long Live, long ThreadLive);

    private static Counts Count()
    {
        // Tensors dropped without Dispose are only released by finalizers; collect so that a leak shows as a count, not as luck.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return new Counts(torch.Tensor.TotalCount, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    /// <summary>Warms up, then asserts that <paramref name="iterations"/> more calls leave the live tensor counts unchanged.</summary>
    private static void AssertFlat(int warmups, int iterations, Action step)
    {
        for (int i = 0; i < warmups; i++) step();
        var before = Count();
        for (int i = 0; i < iterations; i++) step();
        var after = Count();
        Assert.Equal(before, after);
    }

    [Fact]
    public void The_counts_see_one_undisposed_tensor()
    {
        var before = Count();
        var leaked = torch.zeros(1);
        var after = Count();
        Assert.Equal(before.Live + 1, after.Live);
        Assert.Equal(before.ThreadLive + 1, after.ThreadLive);
        leaked.Dispose();
        Assert.Equal(before, Count());
    }

    [Fact]
    public void Inference_leaves_no_live_tensors()
    {
        using var model = new SmallVit(seed: 1);
        model.eval();
        using var images = torch.randn(4, 3, 32, 32);
        AssertFlat(3, 200, () =>
        {
            using var inference = torch.inference_mode();
            using var logits = model.forward(images); // the caller owns the result; everything else is disposed inside
        });
    }

    [Fact]
    public void Intermediates_and_features_leave_no_live_tensors()
    {
        using var model = new SmallVit(seed: 2);
        model.eval();
        using var images = torch.randn(2, 3, 32, 32);
        AssertFlat(3, 50, () =>
        {
            using var inference = torch.inference_mode();
            using var intermediates = model.ForwardWithIntermediates(images, attention: true);
            using var features = model.ForwardFeatures(images);
        });
    }

    [Fact]
    public void BFloat16_inference_leaves_no_live_tensors()
    {
        using var model = BFloat16Inference.ToBFloat16(new SmallVit(seed: 3));
        model.eval();
        using var images = torch.randn(4, 3, 32, 32);
        AssertFlat(3, 100, () => { using var logits = BFloat16Inference.Predict(model, images); });
    }

    [Fact]
    public void Training_with_AdamW_leaves_no_live_tensors()
    {
        using var model = new SmallVit(seed: 4);
        model.train();
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-3);
        using var images = torch.randn(8, 3, 32, 32);
        using var labels = torch.randint(0, 10, new long[] { 8 });
        // Warm-up: gradients and AdamW's moments are created on the first step and then reused.
        AssertFlat(3, 40, () =>
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(model.forward(images), labels).backward();
            optimizer.step();
        });
    }
}
