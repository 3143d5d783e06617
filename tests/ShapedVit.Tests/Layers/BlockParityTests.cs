using ShapedVit.Checkpoints;
using ShapedVit.Inference;
using ShapedVit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Layers;

/// <summary>
/// Each block option against timm's own block (vision_transformer.Block, eva.EvaBlock) with randomised weights, output
/// computed by timm in float64 (tests/Fixtures/timm/make_block_references.py): the weights load strictly under timm's
/// keys, and the float32 output is within 1e-5.
/// </summary>
public class BlockParityTests
{
    internal const double Tolerance = 1e-5;

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "timm", "blocks", name + ".safetensors");

    /// <summary>The EncoderBlock each case declares, the model's rotary embedding where it has one.</summary>
    internal static (EncoderBlock Block, RotaryEmbedding? Rope) Build(string name)
    {
        const long dim = 16, heads = 2, hidden = 32;
        RotaryEmbedding? rope = name.StartsWith("eva_rope", StringComparison.Ordinal) ? new RotaryEmbedding(dim / heads, referenceGrid: 2) : null;
        var block = name switch
        {
            "qknorm_rms" => new EncoderBlock(dim, heads, hidden, qkvBias: false, norm: NormKind.RmsNorm, qkNorm: true),
            "swiglu_packed" => new EncoderBlock(dim, heads, hidden, mlpActivation: MlpActivation.Silu, mlpGate: MlpGate.Packed),
            "quickgelu_ln1e5" => new EncoderBlock(dim, heads, hidden, layerNormEps: 1e-5, mlpActivation: MlpActivation.QuickGelu),
            "gelu_tanh" => new EncoderBlock(dim, heads, hidden, mlpActivation: MlpActivation.GeluTanh),
            "scale_norms_ls" => new EncoderBlock(dim, heads, hidden, layerScaleInit: 0.5, attentionInnerNorm: true, mlpInnerNorm: true),
            "swiglu_split_rms" => new EncoderBlock(dim, heads, hidden, norm: NormKind.RmsNorm, mlpActivation: MlpActivation.Silu, mlpGate: MlpGate.Split, mlpInnerNorm: true),
            "eva_rope" => new EncoderBlock(dim, heads, hidden, separateQkv: true, attentionInnerNorm: true, rope: rope, prefixTokens: 1,
                                           mlpActivation: MlpActivation.Silu, mlpGate: MlpGate.Split, mlpInnerNorm: true),
            "eva_rope_ls_noprefix" => new EncoderBlock(dim, heads, hidden, layerScaleInit: 0.5, separateQkv: true, rope: rope, prefixTokens: 0,
                                                       mlpActivation: MlpActivation.Silu, mlpGate: MlpGate.Split, mlpInnerNorm: true),
            _ => throw new ArgumentException(name),
        };
        block.eval();
        return (block, rope);
    }

    public static TheoryData<string> Cases => new()
    {
        "qknorm_rms", "swiglu_packed", "quickgelu_ln1e5", "gelu_tanh", "scale_norms_ls", "swiglu_split_rms", "eva_rope", "eva_rope_ls_noprefix",
    };

    /// <summary>The case's block with timm's weights loaded strictly, its input and timm's output.</summary>
    internal static (EncoderBlock Block, RotaryEmbedding? Rope, Tensor Input, Tensor Expected, long GridHeight, long GridWidth) Load(string name)
    {
        var (block, rope) = Build(name);
        using var file = Safetensors.ReadAll(Fixture(name));
        var weights = file.Tensors.Where(p => !p.Key.StartsWith("ref.", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value);
        var (missing, unexpected) = block.load_state_dict(weights, strict: false);
        Assert.True(missing.Count == 0 && unexpected.Count == 0, $"missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
        Assert.Equal(weights.Keys.Order(), block.state_dict().Keys.Order());
        var input = file.Tensors["ref.input"].clone().DetachFromDisposeScope();
        var expected = file.Tensors["ref.output"].clone().DetachFromDisposeScope();
        long gh = 0, gw = 0;
        if (file.Tensors.TryGetValue("ref.grid", out var grid))
        {
            gh = (long)grid[0].item<float>();
            gw = (long)grid[1].item<float>();
        }
        return (block, rope, input, expected, gh, gw);
    }

    /// <summary>The block's output, inside the rotary scope the model would open.</summary>
    internal static Tensor Run(EncoderBlock block, RotaryEmbedding? rope, Tensor input, long gh, long gw)
    {
        using var rotary = rope?.Use(gh, gw);
        return block.call(input);
    }

    internal static double MaxDiff(Tensor a, Tensor b) => a.to(float64).sub(b.to(float64)).abs().max().item<double>();

    [Theory, MemberData(nameof(Cases))]
    public void The_block_matches_timm_within_1e_5(string name)
    {
        using var scope = NewDisposeScope();
        var (block, rope, input, expected, gh, gw) = Load(name);
        using var _ = block;
        using var __ = rope;
        using var noGrad = torch.no_grad();
        double diff = MaxDiff(Run(block, rope, input, gh, gw), expected);
        Assert.True(diff <= Tolerance, $"{name}: max |diff| {diff:E2}");
        // Attention probabilities the explicit way give the same output.
        using var rotary = rope?.Use(gh, gw);
        var (output, weights) = block.ForwardWithAttention(input);
        Assert.True(MaxDiff(output, expected) <= Tolerance);
        Assert.True(MaxDiff(weights.sum(-1), torch.ones_like(weights.sum(-1))) < 1e-5);
    }

    [Theory, MemberData(nameof(Cases))]
    public void BFloat16_inference_of_the_block_stays_near_timm(string name)
    {
        using var scope = NewDisposeScope();
        var (block, rope, input, expected, gh, gw) = Load(name);
        using var _ = block;
        using var __ = rope;
        block.to(bfloat16);
        Tensor output;
        using (torch.inference_mode()) output = Run(block, rope, input.to(bfloat16), gh, gw);
        Assert.Equal(ScalarType.BFloat16, output.dtype);
        double error = MaxDiff(output, expected) / expected.abs().max().item<float>();
        Assert.True(error < 3e-2, $"{name}: bfloat16 relative error {error:E2}");
    }

    [Fact]
    public void A_rotary_block_called_outside_the_model_s_scope_says_so()
    {
        using var scope = NewDisposeScope();
        var (block, rope) = Build("eva_rope");
        using var _ = block;
        using var __ = rope;
        var error = Assert.Throws<InvalidOperationException>(() => block.call(torch.zeros(1, 7, 16)));
        Assert.Contains("rotary", error.Message);
    }

    [Fact]
    public void The_rotary_embedding_adds_no_state_and_its_scope_ends_with_the_using()
    {
        using var scope = NewDisposeScope();
        var (block, rope) = Build("eva_rope");
        using var _ = block;
        using var __ = rope;
        Assert.Empty(rope!.state_dict());
        Assert.DoesNotContain(block.named_modules(), m => m.module is RotaryEmbedding);
        using (rope.Use(3, 2)) block.call(torch.zeros(1, 7, 16));
        Assert.Throws<InvalidOperationException>(() => block.call(torch.zeros(1, 7, 16)));
    }
}

/// <summary>The same blocks through oneMKL's packed float32 path, forced (see <see cref="ForcePackedPath"/>).</summary>
[Collection(nameof(Performance.PackedGemmCollection))]
public class PackedBlockParityTests
{
    [Theory, MemberData(nameof(BlockParityTests.Cases), MemberType = typeof(BlockParityTests))]
    public void The_packed_path_matches_timm_within_1e_5(string name)
    {
        using var scope = NewDisposeScope();
        var (block, rope, input, expected, gh, gw) = BlockParityTests.Load(name);
        using var _ = block;
        using var __ = rope;
        bool was = PackedGemm.Enabled;
        PackedGemm.Enabled = true;
        try
        {
            long packs = PackedWeight.PacksMade;
            Tensor output;
            using (torch.inference_mode()) output = BlockParityTests.Run(block, rope, input, gh, gw).clone();
            if (PackedGemm.IsAvailable) Assert.True(PackedWeight.PacksMade > packs, "nothing took the packed path");
            double diff = BlockParityTests.MaxDiff(output, expected);
            Assert.True(diff <= BlockParityTests.Tolerance, $"{name}: packed max |diff| {diff:E2}");
        }
        finally
        {
            PackedGemm.Enabled = was;
        }
    }
}
