using ShapedVit.Vision;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Vision.Tests;

public class AttentionMapTests
{
    /// <summary>Two blocks, 2 heads, 1 prefix token and a 2x3 grid: random row-stochastic attention, float64.</summary>
    private static List<Tensor> RandomAttentions(long prefix, long grid)
    {
        var generator = new torch.Generator(7);
        return Enumerable.Range(0, 2).Select(_ => torch.rand([1, 2, prefix + grid, prefix + grid], dtype: ScalarType.Float64, generator: generator).softmax(-1)).ToList();
    }

    /// <summary>The rollout written out plainly: per block (mean over heads + I) / 2, rows renormalised, multiplied through.</summary>
    private static double[,] Rollout(List<Tensor> attentions)
    {
        int n = (int)attentions[0].shape[^1];
        double[,]? rollout = null;
        foreach (var attention in attentions)
        {
            var a = attention.mean([1])[0].data<double>().ToArray();
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

    [Fact]
    public void A_mean_pooled_model_is_mapped_by_the_mean_of_the_patch_tokens_rows()
    {
        const long prefix = 1, height = 2, width = 3, grid = height * width;
        var attentions = RandomAttentions(prefix, grid);
        var rollout = Rollout(attentions);
        var expected = new double[grid];
        for (long j = 0; j < grid; j++)
        {
            for (long i = prefix; i < prefix + grid; i++) expected[j] += rollout[i, prefix + j];
            expected[j] /= grid;
        }
        double peak = expected.Max();
        using var map = AttentionRollout.ComputeForPooling(attentions, prefix, height, width, Pooling.Mean);
        Assert.Equal(new long[] { 1, height, width }, map.shape);
        Assert.Equal(expected.Select(v => v / peak), map.data<double>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);

        // The class token's row is another map: the pooling decides which one is drawn.
        var classRow = Enumerable.Range(0, (int)grid).Select(j => rollout[0, prefix + j]).ToArray();
        using var classMap = AttentionRollout.ComputeForPooling(attentions, prefix, height, width, Pooling.ClassToken);
        Assert.Equal(classRow.Select(v => v / classRow.Max()), classMap.data<double>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.NotEqual(map.data<double>().ToArray(), classMap.data<double>().ToArray());
        foreach (var a in attentions) a.Dispose();
    }

    [Fact]
    public void The_heat_map_carries_a_colour_scale_and_the_caption_inside_the_picture()
    {
        var pixels = new byte[28 * 28];
        Array.Fill(pixels, (byte)128);
        var map = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();
        byte[] plain = HeatMap.RenderPng(pixels, 28, 28, 1, map, 4, 4, scale: 8, legend: false);
        byte[] drawn = HeatMap.RenderPng(pixels, 28, 28, 1, map, 4, 4, scale: 8, caption: "Ankle boot 91.0%");
        string? keep = Environment.GetEnvironmentVariable("SHAPEDVIT_TEST_ARTIFACTS");
        if (keep is not null) File.WriteAllBytes(Path.Combine(keep, "heat-map.png"), drawn);

        using var a = SKBitmap.Decode(plain);
        using var b = SKBitmap.Decode(drawn);
        Assert.Equal((224, 224), (b.Width, b.Height)); // the legend is drawn inside, the size stays the image's
        // The scale along the bottom runs from blue ("low") on the left to red ("high") on the right.
        var left = b.GetPixel(50, 216);
        var right = b.GetPixel(180, 216);
        Assert.True(left.Blue > 100 && left.Red < 60, $"left of the scale {left}");
        Assert.True(right.Red > 100 && right.Blue < 60, $"right of the scale {right}");
        // The caption's band at the top: text pixels brighter than anything the shaded band alone would give.
        int bright = 0;
        for (int x = 0; x < 224; x++)
            for (int y = 0; y < 14; y++)
                if (b.GetPixel(x, y).Red > 200 && b.GetPixel(x, y).Green > 200 && b.GetPixel(x, y).Blue > 200) bright++;
        Assert.True(bright > 30, $"{bright} white text pixels in the caption band");
        // The middle of the picture is the map itself, unchanged.
        Assert.Equal(a.GetPixel(112, 112), b.GetPixel(112, 112));
    }
}
