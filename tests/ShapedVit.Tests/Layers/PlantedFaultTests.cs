using ShapedVit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Layers;

/// <summary>
/// The block oracles catch what they are there to catch: each fault, planted through the block's own constructor or
/// its weights, moves the output far beyond the 1e-5 tolerance that the right block meets (<see cref="BlockParityTests"/>).
/// </summary>
public class PlantedFaultTests
{
    private const double Caught = 10 * BlockParityTests.Tolerance;

    private static double Error(EncoderBlock block, RotaryEmbedding? rope, Tensor input, Tensor expected, long gh, long gw)
    {
        using var noGrad = torch.no_grad();
        return BlockParityTests.MaxDiff(BlockParityTests.Run(block, rope, input, gh, gw), expected);
    }

    /// <summary>The case's weights and reference, run through another block built by <paramref name="build"/>, after <paramref name="edit"/> of the weights.</summary>
    private static double Planted(string name, Func<RotaryEmbedding?, EncoderBlock> build, Action<Dictionary<string, Tensor>>? edit = null, RotaryEmbedding? rope = null)
    {
        var (right, rightRope, input, expected, gh, gw) = BlockParityTests.Load(name);
        using var _ = right;
        using var __ = rightRope;
        Assert.True(Error(right, rightRope, input, expected, gh, gw) <= BlockParityTests.Tolerance);
        var weights = right.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        edit?.Invoke(weights);
        using var wrong = build(rope ?? rightRope);
        wrong.eval();
        wrong.load_state_dict(weights, strict: true);
        return Error(wrong, rope ?? rightRope, input, expected, gh, gw);
    }

    [Fact]
    public void Exact_GELU_where_timm_has_tanh_GELU_is_caught()
    {
        using var scope = NewDisposeScope();
        double error = Planted("gelu_tanh", _ => new EncoderBlock(16, 2, 32));
        Assert.True(error > Caught, $"{error:E2}");
    }

    [Fact]
    public void Exact_GELU_where_timm_has_QuickGELU_is_caught()
    {
        using var scope = NewDisposeScope();
        double error = Planted("quickgelu_ln1e5", _ => new EncoderBlock(16, 2, 32, layerNormEps: 1e-5));
        Assert.True(error > Caught, $"{error:E2}");
    }

    [Fact]
    public void The_wrong_half_of_a_packed_gate_activated_is_caught()
    {
        using var scope = NewDisposeScope();
        // Swapping fc1's halves makes act(second) * first, timm's GluMlp default gate_last=True instead of SwiGLUPacked's.
        static Tensor Swap(Tensor t) { var h = t.chunk(2, 0); return torch.cat([h[1], h[0]], 0); }
        double error = Planted("swiglu_packed", _ => new EncoderBlock(16, 2, 32, mlpActivation: MlpActivation.Silu, mlpGate: MlpGate.Packed), w =>
        {
            w["mlp.fc1.weight"] = Swap(w["mlp.fc1.weight"]);
            w["mlp.fc1.bias"] = Swap(w["mlp.fc1.bias"]);
        });
        Assert.True(error > Caught, $"{error:E2}");
    }

    [Fact]
    public void Gate_and_value_projections_exchanged_in_a_split_gate_are_caught()
    {
        using var scope = NewDisposeScope();
        double error = Planted("swiglu_split_rms", _ => new EncoderBlock(16, 2, 32, norm: NormKind.RmsNorm, mlpActivation: MlpActivation.Silu, mlpGate: MlpGate.Split, mlpInnerNorm: true), w =>
        {
            (w["mlp.fc1_g.weight"], w["mlp.fc1_x.weight"]) = (w["mlp.fc1_x.weight"], w["mlp.fc1_g.weight"]);
            (w["mlp.fc1_g.bias"], w["mlp.fc1_x.bias"]) = (w["mlp.fc1_x.bias"], w["mlp.fc1_g.bias"]);
        });
        Assert.True(error > Caught, $"{error:E2}");
    }

    [Fact]
    public void A_key_norm_without_its_weight_is_caught()
    {
        using var scope = NewDisposeScope();
        // (Exchanging the q and k norms' weights would not be: q.k sums q_i w_i k_i v_i, symmetric in w and v.)
        double error = Planted("qknorm_rms", _ => new EncoderBlock(16, 2, 32, qkvBias: false, norm: NormKind.RmsNorm, qkNorm: true), w =>
            w["attn.k_norm.weight"] = torch.ones_like(w["attn.k_norm.weight"]));
        Assert.True(error > Caught, $"{error:E2}");
    }

    [Fact]
    public void A_rotary_embedding_without_the_reference_grid_is_caught()
    {
        using var scope = NewDisposeScope();
        using var ownGrid = new RotaryEmbedding(8);
        double error = Planted("eva_rope", rope => new EncoderBlock(16, 2, 32, separateQkv: true, attentionInnerNorm: true, rope: rope, prefixTokens: 1,
                                                                   mlpActivation: MlpActivation.Silu, mlpGate: MlpGate.Split, mlpInnerNorm: true), rope: ownGrid);
        Assert.True(error > Caught, $"{error:E2}");
    }

    [Fact]
    public void The_rotary_embedding_shifted_onto_the_class_token_is_caught()
    {
        using var scope = NewDisposeScope();
        // Rope over the last 6 of 7 tokens is right; the same 6 positions on the first 6 tokens (the class token rotated,
        // the last patch not) is the prefix fault.
        var (block, rope, input, expected, gh, gw) = BlockParityTests.Load("eva_rope");
        using var _ = block;
        using var __ = rope;
        var shifted = torch.cat([input.narrow(1, 1, 6), input.narrow(1, 0, 1)], 1);
        using var noGrad = torch.no_grad();
        using var wrong = new EncoderBlock(16, 2, 32, separateQkv: true, attentionInnerNorm: true, rope: rope, prefixTokens: 1,
                                           mlpActivation: MlpActivation.Silu, mlpGate: MlpGate.Split, mlpInnerNorm: true);
        wrong.eval();
        wrong.load_state_dict(block.state_dict(), strict: true);
        var output = BlockParityTests.Run(wrong, rope, shifted, gh, gw);
        var unshifted = torch.cat([output.narrow(1, 6, 1), output.narrow(1, 0, 6)], 1);
        double error = BlockParityTests.MaxDiff(unshifted, expected);
        Assert.True(error > Caught, $"{error:E2}");
    }
}
