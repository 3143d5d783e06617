using ShapedVit.Data;
using TorchSharp;

namespace ShapedVit.Data.Tests;

public class MixupTests
{
    [Fact]
    public void Smoothed_one_hot_targets_are_timms()
    {
        // smoothing 0.1 over 4 classes: off = 0.025, on = 1 - 0.1 + 0.025 = 0.925.
        using var targets = Mixup.SmoothedOneHot(torch.tensor(new long[] { 2, 0 }), 4, 0.1);
        Assert.Equal(new[] { 0.025f, 0.025f, 0.925f, 0.025f, 0.925f, 0.025f, 0.025f, 0.025f }, targets.data<float>().ToArray());
    }

    private static TorchSharp.torch.Tensor TwoImages() =>
        torch.tensor(Enumerable.Range(0, 2 * 1 * 4 * 4).Select(i => (float)i).ToArray(), [2, 1, 4, 4]);

    [Fact]
    public void Mixup_blends_each_image_with_its_mirror_in_the_batch_and_the_targets_alike()
    {
        using var images = TwoImages();
        var original = images.data<float>().ToArray();
        var (targets, lambda) = Mixup.Apply(images, torch.tensor(new long[] { 0, 1 }), 2, 0, new MixupOptions(MixupAlpha: 1, CutMixAlpha: 0), new Random(3));
        Assert.InRange(lambda, 0, 1);
        var mixed = images.data<float>().ToArray();
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(lambda * original[i] + (1 - lambda) * original[16 + i], mixed[i], 4);
            Assert.Equal(lambda * original[16 + i] + (1 - lambda) * original[i], mixed[16 + i], 4);
        }
        var t = targets.data<float>().ToArray();
        Assert.Equal(new[] { lambda, 1 - lambda, 1 - lambda, lambda }, t.Select(v => (double)v), new Tolerance(1e-6));
    }

    [Fact]
    public void CutMix_pastes_a_box_and_weights_the_targets_by_its_true_area()
    {
        for (int seed = 0; seed < 10; seed++)
        {
            using var images = TwoImages();
            var original = images.data<float>().ToArray();
            var options = new MixupOptions(MixupAlpha: 0, CutMixAlpha: 1);
            // Replay the draws: probability, beta (two gammas), then the box.
            var (targets, lambda) = Mixup.Apply(images, torch.tensor(new long[] { 0, 1 }), 2, 0, options, new Random(seed));
            var mixed = images.data<float>().ToArray();
            int pasted = 0;
            for (int i = 0; i < 16; i++)
            {
                bool fromOther = mixed[i] == original[16 + i];
                Assert.True(fromOther || mixed[i] == original[i]);
                Assert.Equal(fromOther ? original[i] : original[16 + i], mixed[16 + i]);
                pasted += fromOther ? 1 : 0;
            }
            Assert.Equal(1 - pasted / 16.0, lambda, 12);
            Assert.Equal(lambda, targets.data<float>()[0], 6);
        }
    }

    [Fact]
    public void The_box_is_timms_rand_bbox()
    {
        // lambda 0.75: side ratio 0.5, so an 8x8 image gets a 4x4 box around the centre draw, clipped at the edges.
        var replay = new Random(1);
        int cy = replay.Next(8), cx = replay.Next(8);
        var box = Mixup.Box(8, 8, 0.75, new Random(1));
        Assert.Equal((Math.Clamp(cy - 2, 0, 8), Math.Clamp(cy + 2, 0, 8), Math.Clamp(cx - 2, 0, 8), Math.Clamp(cx + 2, 0, 8)), box);
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) < epsilon;
        public int GetHashCode(double value) => 0;
    }
}
