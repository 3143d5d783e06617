using ShapedVit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Runtime;

/// <summary>Runs alone: PatchDropout draws from torch's global generator, which parallel tests also draw from.</summary>
[CollectionDefinition(nameof(GlobalTorchRandomCollection), DisableParallelization = true)]
public sealed class GlobalTorchRandomCollection { }

[Collection(nameof(GlobalTorchRandomCollection))]
public class PatchDropoutTests
{
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.allclose(b, 0, 0);

    [Theory]
    [InlineData(49, 0.0, 49)]
    [InlineData(49, 0.5, 24)]   // timm: int(49 * 0.5) = 24
    [InlineData(196, 0.75, 49)]
    [InlineData(16, 0.25, 12)]
    [InlineData(5, 0.99, 1)]    // never fewer than one patch token
    public void Kept_tokens_follow_timm(long patches, double rate, long kept) =>
        Assert.Equal(kept, VitGeometry.PatchTokensKept(patches, rate));

    [Fact]
    public void Keeps_the_prefix_and_a_distinct_random_subset_of_each_images_patches()
    {
        const long batch = 8, prefix = 2, patches = 49, dim = 3;
        using var layer = new PatchDropout(0.5, prefix);
        layer.train();
        using var scope = NewDisposeScope();
        // Every token row is unique (its first value is its index), so each output row names the input row it came from.
        var tokens = torch.arange(batch * (prefix + patches) * dim, dtype: float32).reshape(batch, prefix + patches, dim);
        var kept = layer.forward(tokens);

        Assert.Equal(new[] { batch, prefix + 24, dim }, kept.shape);
        Assert.True(Same(kept.narrow(1, 0, prefix), tokens.narrow(1, 0, prefix)));
        var subsets = new HashSet<string>();
        for (long b = 0; b < batch; b++)
        {
            var rows = kept[b].narrow(0, prefix, 24);
            var sources = rows.select(1, 0).data<float>().Select(v => (long)v / dim - b * (prefix + patches)).ToArray();
            Assert.All(sources, s => Assert.InRange(s, prefix, prefix + patches - 1)); // patch rows of the same image
            Assert.Equal(24, sources.Distinct().Count());
            for (int i = 0; i < sources.Length; i++)
                Assert.True(Same(rows[i], tokens[b, sources[i]]));
            subsets.Add(string.Join(",", sources.Order()));
        }
        Assert.True(subsets.Count > 1, "every image kept the same patches");
    }

    [Fact]
    public void Is_the_identity_in_evaluation_and_at_rate_zero()
    {
        using var scope = NewDisposeScope();
        var tokens = torch.randn(2, 10, 4);
        using var evaluating = new PatchDropout(0.5, 1);
        evaluating.eval();
        Assert.True(Same(evaluating.forward(tokens), tokens));
        using var off = new PatchDropout(0.0, 1);
        off.train();
        Assert.True(Same(off.forward(tokens), tokens));
    }

    [Fact]
    public void The_same_torch_seed_keeps_the_same_patches()
    {
        using var layer = new PatchDropout(0.5, 0);
        layer.train();
        using var scope = NewDisposeScope();
        var tokens = torch.randn(4, 16, 2);
        torch.manual_seed(3);
        var first = layer.forward(tokens);
        torch.manual_seed(3);
        Assert.True(Same(layer.forward(tokens), first));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    public void Refuses_rates_outside_zero_to_one(double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PatchDropout(rate, 0));

    [Fact]
    public void Generated_models_drop_patches_in_training_only()
    {
        Assert.Equal(24, PatchDropMeanVit.TrainingPatchTokens);
        Assert.Equal(12, PatchDropPrefixVit.TrainingPatchTokens);
        using var meanVit = new PatchDropMeanVit(seed: 2);
        using var prefixVit = new PatchDropPrefixVit(seed: 2);
        using var scope = NewDisposeScope();
        var grey = torch.randn(3, 1, 28, 28);
        var colour = torch.randn(3, 3, 16, 16);

        meanVit.train(); prefixVit.train();
        Assert.Equal(new long[] { 3, 24, 32 }, meanVit.ForwardFeatures(grey).shape);
        Assert.Equal(new long[] { 3, 3 + 12, 16 }, prefixVit.ForwardFeatures(colour).shape);
        var logits = meanVit.forward(grey);
        Assert.Equal(new long[] { 3, 10 }, logits.shape);
        logits.sum().backward(); // the gathered tokens pass gradients back to the patch embedding
        Assert.True(meanVit.parameters().All(p => p.grad is not null));

        meanVit.eval(); prefixVit.eval();
        Assert.Equal(new long[] { 3, PatchDropMeanVit.NumPatches, 32 }, meanVit.ForwardFeatures(grey).shape);
        Assert.Equal(new long[] { 3, PatchDropPrefixVit.SequenceLength, 16 }, prefixVit.ForwardFeatures(colour).shape);
        Assert.True(Same(meanVit.forward(grey), meanVit.forward(grey)));
    }
}
