using ShapedVit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Performance;

/// <summary>
/// Attention over long sequences on oneDNN's products (<c>CpuInference.Attention</c>): the same numbers as libtorch's
/// scaled_dot_product_attention for the views <see cref="Attention"/> passes, taken only for float32 CPU inference on
/// oneDNN's path from <c>OneDnnAttentionMinimumTokens</c> tokens, never with autograd on or attention dropout in
/// training.
/// </summary>
[Collection(nameof(PackedGemmCollection))]
public class OneDnnAttentionTests
{
    private static T With<T>(GemmPath? path, bool? oneDnnAttention, Func<T> run)
    {
        var (pathBefore, attentionBefore) = (CpuInference.ForcedPath, CpuInference.ForcedOneDnnAttention);
        CpuInference.ForcedPath = path;
        CpuInference.ForcedOneDnnAttention = oneDnnAttention;
        try { return run(); }
        finally { (CpuInference.ForcedPath, CpuInference.ForcedOneDnnAttention) = (pathBefore, attentionBefore); }
    }

    /// <summary>q, k, v [B, H, N, hd] as Attention makes them: views into one projection, permuted.</summary>
    private static (Tensor Q, Tensor K, Tensor V) Views(long batch, long heads, long tokens, long width, int seed)
    {
        var parts = torch.randn(new[] { batch, tokens, 3 * heads * width }, generator: new Generator((ulong)seed))
                         .reshape(batch, tokens, 3, heads, width).permute(2, 0, 3, 1, 4);
        return (parts[0], parts[1], parts[2]);
    }

    [Theory]
    [InlineData(1, 1, 1, 8)]
    [InlineData(1, 6, 37, 64)]
    [InlineData(2, 3, 130, 16)]
    [InlineData(3, 2, 1025, 32)]
    public void Gives_scaled_dot_product_attention_s_numbers(long batch, long heads, long tokens, long width)
    {
        if (CpuInference.OneDnn is null) return;
        using var scope = NewDisposeScope();
        using var inference = torch.inference_mode();
        var (q, k, v) = Views(batch, heads, tokens, width, (int)(tokens * 31 + width));
        var expected = nn.functional.scaled_dot_product_attention(q, k, v);
        var got = With(null, true, () => CpuInference.Attention(q, k, v));
        Assert.NotNull(got);
        Assert.Equal(expected.shape, got!.shape);
        float difference = (got - expected).abs().max().item<float>();
        Assert.True(difference <= 2e-6f, $"[{batch}, {heads}, {tokens}, {width}]: differs from SDPA by {difference}");
        // What Attention does next (merging the heads) gives the same tokens either way.
        Assert.Equal(0f, (got.transpose(1, 2).reshape(batch, tokens, heads * width) - got.transpose(1, 2).contiguous().reshape(batch, tokens, heads * width)).abs().max().item<float>());
    }

    [Fact]
    public void Is_taken_from_the_token_threshold_on_oneDNN_s_path_only()
    {
        if (CpuInference.OneDnn is null) return;
        using var scope = NewDisposeScope();
        using var inference = torch.inference_mode();
        long threshold = CpuInference.OneDnnAttentionMinimumTokens;
        var (longQ, longK, longV) = Views(1, 2, threshold, 16, 1);
        var (shortQ, shortK, shortV) = Views(1, 2, threshold - 1, 16, 2);
        Assert.NotNull(With(GemmPath.OneDnnPacked, null, () => CpuInference.Attention(longQ, longK, longV)));
        Assert.Null(With(GemmPath.OneDnnPacked, null, () => CpuInference.Attention(shortQ, shortK, shortV)));
        Assert.Null(With(GemmPath.OneMklPacked, null, () => CpuInference.Attention(longQ, longK, longV)));
        Assert.Null(With(GemmPath.LibTorchLinear, null, () => CpuInference.Attention(longQ, longK, longV)));
        Assert.Null(With(GemmPath.OneDnnPacked, false, () => CpuInference.Attention(longQ, longK, longV)));
        var half = longQ.to(ScalarType.BFloat16);
        Assert.Null(With(GemmPath.OneDnnPacked, true, () => CpuInference.Attention(half, half, half)));
    }

    [Fact]
    public void Is_never_taken_with_autograd_on_or_attention_dropout_in_training()
    {
        if (CpuInference.OneDnn is null) return;
        using var scope = NewDisposeScope();
        var (q, k, v) = Views(1, 2, 40, 8, 3);
        Assert.Null(With(GemmPath.OneDnnPacked, true, () => CpuInference.Attention(q, k, v))); // autograd on

        torch.manual_seed(11);
        using var attention = new Attention(32, 4, attentionDropout: 0.5);
        attention.train();
        var tokens = torch.randn(2, 40, 32);
        long before = CpuInference.OneDnnAttentionCalls;
        using (var noGrad = torch.no_grad())
            With(GemmPath.OneDnnPacked, true, () => attention.call(tokens));
        Assert.Equal(0, CpuInference.OneDnnAttentionCalls - before);
    }

    [Fact]
    public void An_attention_layer_gives_the_same_tokens_on_either_path()
    {
        if (CpuInference.OneDnn is null) return;
        using var scope = NewDisposeScope();
        torch.manual_seed(12);
        using var attention = new Attention(48, 3);
        attention.eval();
        var tokens = torch.randn(2, 70, 48);
        using var inference = torch.inference_mode();
        long before = CpuInference.OneDnnAttentionCalls;
        var onednn = With(null, true, () => attention.call(tokens));
        Assert.Equal(1, CpuInference.OneDnnAttentionCalls - before);
        var sdpa = With(null, false, () => attention.call(tokens));
        Assert.Equal(1, CpuInference.OneDnnAttentionCalls - before);
        float difference = (onednn - sdpa).abs().max().item<float>();
        Assert.True(difference <= 2e-6f, $"the layer's output differs by {difference} between the paths");
    }
}
