using ShapedVit.Testing;
using ShapedVit.Checkpoints;
using TorchSharp;
using static ShapedVit.Tests.Checkpoints.CheckpointTestHelpers;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Checkpoints;

public class PositionEmbeddingTests
{
    [Fact]
    public void The_same_grid_is_the_identity()
    {
        using var scope = NewDisposeScope();
        var posEmbed = torch.randn(1, 1 + 16, 8);
        var same = PositionEmbedding.Resample(posEmbed, 4, 4, prefixTokens: 1);
        Assert.True(BitEqual(posEmbed, same));
    }

    [Theory]
    [InlineData(4, 4, 6, 6, 1)]  // up
    [InlineData(8, 8, 3, 3, 1)]  // down: antialiasing would change these values
    [InlineData(4, 4, 5, 3, 3)]  // rectangular target, class + 2 register tokens
    [InlineData(3, 3, 7, 2, 0)]  // no prefix tokens
    public void The_grid_is_resized_bicubically_without_antialiasing_and_the_prefix_is_kept(int oldH, int oldW, int newH, int newW, int prefix)
    {
        using var scope = NewDisposeScope();
        const int dim = 5;
        var posEmbed = torch.randn(new long[] { 1, prefix + oldH * oldW, dim }, generator: new Generator(17));
        var resized = PositionEmbedding.Resample(posEmbed, newH, newW, prefix);

        Assert.Equal(new long[] { 1, prefix + newH * newW, dim }, resized.shape);
        Assert.True(BitEqual(posEmbed.narrow(1, 0, prefix), resized.narrow(1, 0, prefix)));
        var source = posEmbed.data<float>().ToArray();
        var actual = resized.data<float>().ToArray();
        for (int c = 0; c < dim; c++)
        {
            double At(int y, int x) => source[(prefix + Math.Clamp(y, 0, oldH - 1) * oldW + Math.Clamp(x, 0, oldW - 1)) * dim + c];
            for (int y = 0; y < newH; y++)
            for (int x = 0; x < newW; x++)
            {
                double expected = Bicubic(At, oldH, oldW, newH, newW, y, x);
                // float32 arithmetic in libtorch against double here: agreement to ~1e-6; align_corners or antialias would miss by far more.
                Assert.InRange(Math.Abs(expected - actual[(prefix + y * newW + x) * dim + c]), 0, 1e-5);
            }
        }
    }

    [Fact]
    public void A_constant_grid_stays_constant()
    {
        using var scope = NewDisposeScope();
        var posEmbed = torch.full(1, 1 + 49, 3, 0.25f);
        var resized = PositionEmbedding.Resample(posEmbed, 12, 12, 1);
        Assert.True(MaxAbsDiff(resized, torch.full(1, 1 + 144, 3, 0.25f)) < 1e-6);
    }

    [Fact]
    public void Half_precision_embeddings_are_resampled_in_float32_and_returned_in_their_dtype()
    {
        using var scope = NewDisposeScope();
        var posEmbed = torch.randn(1, 1 + 16, 4).to(ScalarType.BFloat16);
        var resized = PositionEmbedding.Resample(posEmbed, 6, 6, 1);
        Assert.Equal(ScalarType.BFloat16, resized.dtype);
        var reference = PositionEmbedding.Resample(posEmbed.to(ScalarType.Float32), 6, 6, 1).to(ScalarType.BFloat16);
        Assert.True(BitEqual(reference, resized));
    }

    [Fact]
    public void Grids_that_are_not_square_need_their_size()
    {
        using var scope = NewDisposeScope();
        var posEmbed = torch.randn(1, 1 + 12, 4);
        Assert.Throws<ArgumentException>(() => PositionEmbedding.Resample(posEmbed, 4, 4, 1));
        Assert.Equal(new long[] { 1, 17, 4 }, PositionEmbedding.Resample(posEmbed, 4, 4, 1, oldHeight: 3, oldWidth: 4).shape);
        Assert.Null(PositionEmbedding.SquareGrid(12));
        Assert.Equal((5L, 5L), PositionEmbedding.SquareGrid(25));
    }

    [Fact]
    public void Loading_a_checkpoint_of_another_resolution_resamples_pos_embed_and_loads_the_rest()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var donor = Perturbed(new TorchvisionMicro(seed: 1), 1);
        string path = folder.File("at32.safetensors");
        donor.SaveSafetensors(path);

        using var model = new MicroAt40x24(seed: 2);
        var result = model.LoadSafetensors(path);
        Assert.Equal((4L, 4L), result.PositionEmbeddingResampledFrom);
        var loaded = model.state_dict();
        var expected = PositionEmbedding.Resample(donor.state_dict()["pos_embed"], 5, 3, 1);
        Assert.Equal(new long[] { 1, 1 + 15, 64 }, loaded["pos_embed"].shape);
        Assert.True(BitEqual(expected, loaded["pos_embed"]));
        foreach (var (key, tensor) in donor.state_dict())
            if (key != "pos_embed") Assert.True(BitEqual(tensor, loaded[key]), key);
        model.eval();
        using (torch.no_grad()) Assert.Equal(new long[] { 2, 10 }, model.forward(torch.randn(2, 3, 40, 24)).shape);
    }

    [Fact]
    public void Register_tokens_are_kept_apart_from_the_grid()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var donor = Perturbed(new RegistersAt32(seed: 1), 1);
        string path = folder.File("registers.safetensors");
        donor.SaveSafetensors(path);
        using var model = new RegistersAt64(seed: 2);
        Assert.Equal((4L, 4L), model.LoadSafetensors(path).PositionEmbeddingResampledFrom);
        var source = donor.state_dict()["pos_embed"];
        var loaded = model.state_dict()["pos_embed"];
        Assert.Equal(new long[] { 1, 3 + 64, 64 }, loaded.shape);
        Assert.True(BitEqual(source.narrow(1, 0, 3), loaded.narrow(1, 0, 3)));
        Assert.True(BitEqual(PositionEmbedding.Resample(source, 8, 8, 3), loaded));
    }

    /// <summary>Writes <paramref name="donor"/>'s weights as a timm <c>no_embed_class</c> checkpoint: pos_embed without its <paramref name="prefix"/> rows.</summary>
    private static void SaveWithoutPrefixRows(nn.Module donor, long prefix, string path)
    {
        var tensors = donor.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        var positions = tensors["pos_embed"];
        tensors["pos_embed"] = positions.narrow(1, prefix, positions.shape[1] - prefix).contiguous();
        Safetensors.Write(path, tensors);
    }

    [Fact]
    public void A_no_embed_class_checkpoint_loads_with_zero_prefix_rows_and_computes_what_timm_computes()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var donor = Perturbed(new TorchvisionMicro(seed: 1), 1);
        // timm's no_embed_class adds no position to the class token: the same as a zero row in our layout.
        using (torch.no_grad()) donor.state_dict()["pos_embed"].narrow(1, 0, 1).zero_();
        string path = folder.File("no-embed-class.safetensors");
        SaveWithoutPrefixRows(donor, 1, path);

        using var model = new TorchvisionMicro(seed: 2);
        var result = model.LoadSafetensors(path);
        Assert.True(result.PositionEmbeddingPrefixRowsAdded);
        Assert.Null(result.PositionEmbeddingResampledFrom);
        foreach (var (key, tensor) in donor.state_dict())
            Assert.True(BitEqual(tensor, model.state_dict()[key]), key);
        donor.eval(); model.eval();
        var images = torch.randn(2, 3, 32, 32);
        using (torch.no_grad()) Assert.True(BitEqual(donor.forward(images), model.forward(images)));

        // Told the embedding has prefix rows, the loader refuses the shape instead of guessing.
        using var strict = new TorchvisionMicro(seed: 3);
        var e = Assert.Throws<CheckpointException>(() => strict.LoadSafetensors(path, new CheckpointLoadOptions { PositionEmbeddingHasPrefixTokens = true }));
        Assert.Contains("pos_embed: checkpoint [1,16,64], model [1,17,64]", e.Message);
    }

    [Fact]
    public void A_no_embed_class_checkpoint_of_another_grid_is_resampled_after_its_zero_prefix_rows()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var donor = Perturbed(new RegistersAt32(seed: 1), 1);
        string path = folder.File("no-embed-class-registers.safetensors");
        SaveWithoutPrefixRows(donor, 3, path); // 16 grid rows: a square; 13 (without 3 prefix rows) is not

        using var model = new RegistersAt64(seed: 2);
        var result = model.LoadSafetensors(path);
        Assert.True(result.PositionEmbeddingPrefixRowsAdded);
        Assert.Equal((4L, 4L), result.PositionEmbeddingResampledFrom);
        var grid = donor.state_dict()["pos_embed"].narrow(1, 3, 16);
        var expected = PositionEmbedding.Resample(torch.cat(new[] { torch.zeros(1, 3, 64), grid }, 1), 8, 8, 3);
        Assert.True(BitEqual(expected, model.state_dict()["pos_embed"]));
        Assert.Equal(0, model.state_dict()["pos_embed"].narrow(1, 0, 3).abs().sum().item<float>());
    }

    [Fact]
    public void An_ordinary_checkpoint_gets_no_prefix_rows()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var donor = Perturbed(new TorchvisionMicro(seed: 1), 1);
        string path = folder.File("ordinary.safetensors");
        donor.SaveSafetensors(path);
        using var model = new MicroAt48(seed: 2);
        var result = model.LoadSafetensors(path); // 17 = 1 + 4x4 tokens: the class row is the checkpoint's own
        Assert.False(result.PositionEmbeddingPrefixRowsAdded);
        Assert.True(BitEqual(donor.state_dict()["pos_embed"].narrow(1, 0, 1), model.state_dict()["pos_embed"].narrow(1, 0, 1)));
    }

    /// <summary>PyTorch's upsample_bicubic2d (align_corners=False, A = -0.75, border-clamped reads), written out independently.</summary>
    private static double Bicubic(Func<int, int, double> at, int inH, int inW, int outH, int outW, int y, int x)
    {
        static (int Index, double[] Weights) Taps(int inSize, int outSize, int o)
        {
            double real = (double)inSize / outSize * (o + 0.5) - 0.5; // not clamped at 0 for cubic
            int index = (int)Math.Floor(real);
            double t = real - index;
            const double a = -0.75;
            double Near(double d) => ((a + 2) * d - (a + 3)) * d * d + 1;      // |d| <= 1
            double Far(double d) => ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;  // 1 < |d| < 2
            return (index, new[] { Far(t + 1), Near(t), Near(1 - t), Far(2 - t) });
        }
        var (iy, wy) = Taps(inH, outH, y);
        var (ix, wx) = Taps(inW, outW, x);
        double sum = 0;
        for (int j = 0; j < 4; j++)
        for (int i = 0; i < 4; i++)
            sum += wy[j] * wx[i] * at(iy - 1 + j, ix - 1 + i);
        return sum;
    }
}
