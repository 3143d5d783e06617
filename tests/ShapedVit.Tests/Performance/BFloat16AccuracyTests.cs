using ShapedVit.Checkpoints;
using ShapedVit.Inference;
using ShapedVit.Tests.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Performance;

/// <summary>bfloat16 inference against torchvision's float32 logits for the same weights and images.</summary>
public class BFloat16AccuracyTests
{
    private const double RelativeTolerance = 2e-2;

    public static TheoryData<string> Fixtures => new() { "vit_micro", "vit_prelogits" };

    private static nn.Module<Tensor, Tensor> CreateModel(string fixture) => fixture switch
    {
        "vit_micro" => new TorchvisionMicro(seed: 0),
        "vit_prelogits" => new TorchvisionPrelogits(seed: 0),
        _ => throw new ArgumentOutOfRangeException(nameof(fixture)),
    };

    /// <summary>The model with the fixture's torchvision weights (loaded through the checkpoint library), its input and torchvision's float32 logits.</summary>
    private static (nn.Module<Tensor, Tensor> Model, Tensor Input, Tensor Logits) Load(string fixture)
    {
        var model = CreateModel(fixture);
        model.LoadSafetensors(TorchvisionParityTests.Fixture(fixture + ".safetensors"));
        model.eval();
        using var expected = Safetensors.ReadAll(TorchvisionParityTests.Fixture(fixture + ".expected.safetensors"));
        var tensors = expected.Detach();
        return (model, tensors["input"], tensors["logits"]);
    }

    [Theory, MemberData(nameof(Fixtures))]
    public void BFloat16_logits_are_within_2e_2_relative_of_torchvision_float32(string fixture)
    {
        using var scope = NewDisposeScope();
        var (model, input, expected) = Load(fixture);
        using var _ = model;

        // Precondition: in float32 the loaded model is torchvision's model, so the comparison below measures bfloat16 alone.
        using (torch.inference_mode())
        {
            double float32Error = RelativeError(model.forward(input), expected);
            Assert.True(float32Error < 1e-4, $"float32 relative error {float32Error:E2}: the fixture did not load as torchvision's model");
        }

        BFloat16Inference.ToBFloat16(model);
        var state = model.state_dict();
        Assert.Equal(ScalarType.BFloat16, state["blocks.0.attn.qkv.weight"].dtype);
        Assert.Equal(ScalarType.BFloat16, state["pos_embed"].dtype);
        Assert.Equal(ScalarType.Float32, state["blocks.0.norm1.weight"].dtype);

        var logits = BFloat16Inference.Predict(model, input);
        Assert.Equal(ScalarType.Float32, logits.dtype);
        double error = RelativeError(logits, expected);
        Assert.True(error <= RelativeTolerance, $"bfloat16 relative error {error:E2} > {RelativeTolerance:E0}");
        Assert.True(error > 0, "bfloat16 logits equal float32 ones exactly: the model did not run in bfloat16");
    }

    [Theory, MemberData(nameof(Fixtures))]
    public void LayerNorm_parameters_stay_exactly_as_loaded_and_every_other_tensor_becomes_bfloat16(string fixture)
    {
        using var scope = NewDisposeScope();
        var (model, _, _) = Load(fixture);
        using var _ = model;
        using var checkpoint = Safetensors.ReadAll(TorchvisionParityTests.Fixture(fixture + ".safetensors"));
        var loaded = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        // Precondition: the fixture's LayerNorm weights are not all representable in bfloat16, so a round trip would show.
        Assert.False(CheckpointTestHelpers.BitEqual(loaded["norm.weight"], loaded["norm.weight"].to(ScalarType.BFloat16).to(ScalarType.Float32)));

        BFloat16Inference.ToBFloat16(model);

        int norms = 0;
        foreach (var (key, tensor) in model.state_dict())
        {
            bool isNorm = key.Contains("norm", StringComparison.Ordinal);
            if (isNorm)
            {
                Assert.True(CheckpointTestHelpers.BitEqual(loaded[key], tensor), $"{key} changed from the loaded float32 value");
                norms++;
            }
            else Assert.Equal(ScalarType.BFloat16, tensor.dtype);
        }
        Assert.True(norms >= 4, $"only {norms} LayerNorm tensors found");
    }

    /// <summary>max |actual - expected| / max |expected|: relative to the logits' scale, so near-zero logits do not dominate.</summary>
    private static double RelativeError(Tensor actual, Tensor expected) =>
        (actual - expected).abs().max().item<float>() / (double)expected.abs().max().item<float>();
}
