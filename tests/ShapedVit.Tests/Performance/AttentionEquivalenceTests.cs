using ShapedVit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Performance;

/// <summary>
/// The generated models' attention (fused qkv + scaled_dot_product_attention) against libtorch's nn.MultiheadAttention.
/// Both run in float64: in float32 two correct kernels differ by about 1e-5 at ViT-B/16's width, by an amount that
/// depends on the CPU's kernels, which would hide a real fault of that size; in float64 they agree far below this tolerance.
/// </summary>
public class AttentionEquivalenceTests
{
    private const double Tolerance = 1e-10;

    private static (Attention Ours, TorchSharp.Modules.MultiheadAttention Reference) CopiedPair(long dim, long heads, long seed)
    {
        var ours = new Attention(dim, heads);
        var reference = nn.MultiheadAttention(dim, heads, dropout: 0.0, bias: true, add_bias_kv: false, add_zero_attn: false, kdim: null, vdim: null);
        using var noGrad = torch.no_grad();
        using var generator = new Generator((ulong)seed);
        // Non-zero biases too: timm's initialisation zeros them, which would hide a bias mix-up.
        foreach (var parameter in ours.parameters())
            parameter.copy_(torch.randn(parameter.shape, generator: generator) * 0.1);
        var named = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        string keys = string.Join(", ", named.Keys);
        Assert.True(named.ContainsKey("in_proj_weight") && named.ContainsKey("out_proj.weight"), keys);
        named["in_proj_weight"].copy_(ours.Qkv.weight!);
        named["in_proj_bias"].copy_(ours.Qkv.bias!);
        named["out_proj.weight"].copy_(ours.Projection.weight!);
        named["out_proj.bias"].copy_(ours.Projection.bias!);
        ours.to(float64);
        reference.to(float64);
        ours.eval();
        reference.eval();
        return (ours, reference);
    }

    [Theory]
    [InlineData(64, 4, 17, 3)]
    [InlineData(48, 3, 10, 2)]
    [InlineData(768, 12, 197, 1)] // ViT-B/16's block
    public void Attention_equals_MultiheadAttention_with_copied_weights(long dim, long heads, long tokens, long batch)
    {
        var (ours, reference) = CopiedPair(dim, heads, seed: dim + heads);
        using var _ = ours;
        using var __ = reference;
        using var scope = NewDisposeScope();
        var input = torch.randn(new[] { batch, tokens, dim }, float64, generator: new Generator(11)); // [B, N, D]
        var sequenceFirst = input.transpose(0, 1);                                           // [N, B, D], as MultiheadAttention takes it

        var output = ours.forward(input);
        var (expected, expectedWeights) = reference.forward(sequenceFirst, sequenceFirst, sequenceFirst, null, true, null);
        double difference = (output - expected.transpose(0, 1)).abs().max().item<double>();
        Assert.True(difference <= Tolerance, $"max |ours - MultiheadAttention| = {difference:E2}");

        // MultiheadAttention returns the probabilities averaged over heads.
        var (_, weights) = ours.ForwardWithWeights(input);
        double weightDifference = (weights.mean(new long[] { 1 }) - expectedWeights).abs().max().item<double>();
        Assert.True(weightDifference <= Tolerance, $"max |attention probabilities difference| = {weightDifference:E2}");
    }

    [Fact]
    public void The_comparison_detects_a_wrong_weight()
    {
        var (ours, reference) = CopiedPair(64, 4, seed: 5);
        using var _ = ours;
        using var __ = reference;
        using var scope = NewDisposeScope();
        using (torch.no_grad()) ours.Projection.bias!.add_(1e-3);
        var input = torch.randn(new long[] { 2, 9, 64 }, float64, generator: new Generator(3));
        var sequenceFirst = input.transpose(0, 1);
        var (expected, _) = reference.forward(sequenceFirst, sequenceFirst, sequenceFirst, null, false, null);
        double difference = (ours.forward(input) - expected.transpose(0, 1)).abs().max().item<double>();
        Assert.True(difference > Tolerance, $"a 1e-3 bias change went unnoticed ({difference:E2})");
    }
}
