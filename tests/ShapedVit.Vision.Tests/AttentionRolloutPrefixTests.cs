using ShapedVit.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Vision.Tests;

/// <summary>
/// Rollout from a model's intermediates: every prefix token (class, distillation, registers) is left out of the map, the
/// rows are the tokens the head reads, and the grid is the forward's own (a dynamic-size model's input need not be the
/// declared size).
/// </summary>
public class AttentionRolloutPrefixTests
{
    private static List<Tensor> RandomAttentions(long length, int seed)
    {
        var generator = new torch.Generator((ulong)seed);
        return Enumerable.Range(0, 2).Select(_ => torch.rand([2, 3, length, length], dtype: ScalarType.Float64, generator: generator).softmax(-1)).ToList();
    }

    /// <summary>The rollout written out plainly for one image: per block (mean over heads + I) / 2, rows renormalised, multiplied through.</summary>
    private static double[,] Rollout(List<Tensor> attentions, int image)
    {
        int n = (int)attentions[0].shape[^1];
        double[,]? rollout = null;
        foreach (var attention in attentions)
        {
            var a = attention.mean([1])[image].data<double>().ToArray();
            var mixed = new double[n, n];
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int j = 0; j < n; j++) sum += mixed[i, j] = (a[i * n + j] + (i == j ? 1 : 0)) / 2;
                for (int j = 0; j < n; j++) mixed[i, j] /= sum;
            }
            if (rollout is null) { rollout = mixed; continue; }
            var product = new double[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    for (int k = 0; k < n; k++) product[i, j] += mixed[i, k] * rollout[k, j];
            rollout = product;
        }
        return rollout!;
    }

    private static VitIntermediates Intermediates(List<Tensor> attentions, long prefix, long height, long width, Tensor? pool = null) =>
        new(null, torch.zeros(2, prefix + height * width, 4), [], attentions, prefix, height, width) { PoolAttention = pool };

    private static VitSpec Spec(Pooling pooling, bool distilled = false, int registers = 0, bool classToken = true) => new()
    {
        ImageHeight = 16, ImageWidth = 16, PatchHeight = 4, PatchWidth = 4, EmbedDim = 4, Depth = 2, Heads = 3,
        Pooling = pooling, DistillationToken = distilled, RegisterTokens = registers, ClassToken = classToken, DynamicImageSize = true,
    };

    private static void AssertMap(Func<double[,], int, double[]> expectedRow, Tensor map, List<Tensor> attentions, long height, long width)
    {
        Assert.Equal(new[] { 2L, height, width }, map.shape);
        for (int image = 0; image < 2; image++)
        {
            var row = expectedRow(Rollout(attentions, image), image);
            double peak = row.Max();
            Assert.Equal(row.Select(v => v / peak), map[image].flatten().data<double>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        }
    }

    [Fact]
    public void A_distilled_model_is_mapped_by_its_class_and_distillation_tokens_over_the_patches_only()
    {
        const long prefix = 2, height = 2, width = 3, grid = height * width; // a grid other than the declared 4x4
        var attentions = RandomAttentions(prefix + grid, 1);
        using var intermediates = Intermediates(attentions, prefix, height, width);
        using var map = AttentionRollout.ComputeFor(intermediates, Spec(Pooling.ClassToken, distilled: true));
        AssertMap((r, _) => Enumerable.Range(0, (int)grid).Select(j => (r[0, prefix + j] + r[1, prefix + j]) / 2).ToArray(), map, attentions, height, width);
    }

    [Fact]
    public void Registers_are_left_out_of_the_map_and_of_the_mean_of_the_patch_rows()
    {
        const long prefix = 5, height = 3, width = 2, grid = height * width; // a class token and four registers
        var attentions = RandomAttentions(prefix + grid, 2);
        using var intermediates = Intermediates(attentions, prefix, height, width);
        using var classMap = AttentionRollout.ComputeFor(intermediates, Spec(Pooling.ClassToken, registers: 4));
        AssertMap((r, _) => Enumerable.Range(0, (int)grid).Select(j => r[0, prefix + j]).ToArray(), classMap, attentions, height, width);
        using var meanMap = AttentionRollout.ComputeFor(intermediates, Spec(Pooling.Mean, registers: 4));
        AssertMap((r, _) => Enumerable.Range(0, (int)grid).Select(j => Enumerable.Range((int)prefix, (int)grid).Average(i => r[i, prefix + j])).ToArray(),
                  meanMap, attentions, height, width);
    }

    [Fact]
    public void An_attention_pooled_model_is_mapped_by_the_patch_rows_weighted_by_its_pool()
    {
        const long prefix = 0, height = 2, width = 2, grid = height * width;
        var attentions = RandomAttentions(prefix + grid, 3);
        var pool = torch.rand([2, 3, grid], dtype: ScalarType.Float64, generator: new torch.Generator(4)).softmax(-1);
        var weights = pool.mean([1]);
        using var intermediates = Intermediates(attentions, prefix, height, width, pool);
        using var map = AttentionRollout.ComputeFor(intermediates, Spec(Pooling.AttentionPool, classToken: false));
        AssertMap((r, image) => Enumerable.Range(0, (int)grid)
                      .Select(j => Enumerable.Range(0, (int)grid).Sum(i => weights[image, i].item<double>() * r[i, j])).ToArray(),
                  map, attentions, height, width);

        using var withoutPool = Intermediates(RandomAttentions(grid, 5), prefix, height, width);
        Assert.Contains("attention: true", Assert.Throws<ArgumentException>(() => AttentionRollout.ComputeFor(withoutPool, Spec(Pooling.AttentionPool, classToken: false))).Message);
        Assert.Throws<ArgumentException>(() => AttentionRollout.ComputeForPooling(attentions, prefix, height, width, Pooling.AttentionPool));
    }
}
