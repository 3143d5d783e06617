using ShapedVit.Inference;
using ShapedVit.Tests.Performance;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Families;

/// <summary>
/// Every family as a whole model (not only its blocks) on the other inference paths: bfloat16 inference stays near timm's
/// logits, and oneMKL's packed float32 path, forced, still equals timm within 1e-5 (tests/Fixtures/timm/families).
/// </summary>
public class FamilyPrecisionTests(ITestOutputHelper output)
{
    /// <summary>Every family fixture; the dynamic ones also at their non-square size.</summary>
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in AllCases)
        {
            data.Add(name, "");
            using var reference = EmbedParityTests.Reference(name);
            if (reference.Tensors.ContainsKey("ref.input_dynamic")) data.Add(name, "_dynamic");
        }
        return data;
    }

    private static readonly string[] AllCases =
    [
        "vit", "vit_token_1ch", "vit_gap_reg", "deit_distilled", "deit3", "clip", "siglip_map", "siglip_gap", "dinov2", "dinov2_reg",
        "no_pos_embed", "qknorm_rms", "swiglu_packed", "clip_quickgelu", "eva02", "eva02_clip", "eva02_fused",
    ];

    private static readonly HashSet<string> BlockCases = ["qknorm_rms", "swiglu_packed", "clip_quickgelu", "eva02", "eva02_clip", "eva02_fused"];

    /// <summary>The case's model with timm's weights, loaded strictly, in evaluation mode.</summary>
    internal static nn.Module<Tensor, Tensor> Load(string name)
    {
        if (!BlockCases.Contains(name)) return EmbedParityTests.Load(name).Model;
        var model = (nn.Module<Tensor, Tensor>)BlockFamilyParityTests.Create(name);
        BlockFamilyParityTests.LoadStrictly(model, name);
        model.eval();
        return model;
    }

    [Theory, MemberData(nameof(Cases))]
    public void BFloat16_inference_of_the_family_stays_near_timm(string name, string suffix)
    {
        using var scope = NewDisposeScope();
        using var model = Load(name);
        using var reference = EmbedParityTests.Reference(name);
        var expected = reference.Tensors["ref.logits" + suffix];
        BFloat16Inference.ToBFloat16(model);
        var logits = BFloat16Inference.Predict(model, reference.Tensors["ref.input" + suffix]);
        double error = EmbedParityTests.MaxAbsDiff(expected, logits) / expected.abs().max().item<float>();
        output.WriteLine($"{name}{suffix}: bfloat16 logits, relative error {error:E2}");
        // The block tests' bound for bfloat16 (8 significant bits, two blocks deep), on the whole model's logits.
        Assert.True(error < 3e-2, $"{name}{suffix}: bfloat16 relative error {error:E2}");
    }
}

/// <summary>Every family through oneMKL's packed float32 path, forced on any CPU (see <see cref="ForcePackedPath"/>).</summary>
[Collection(nameof(PackedGemmCollection))]
public class FamilyPackedPathTests(ITestOutputHelper output)
{
    [Theory, MemberData(nameof(FamilyPrecisionTests.Cases), MemberType = typeof(FamilyPrecisionTests))]
    public void The_packed_path_equals_timm_within_1e_5(string name, string suffix)
    {
        using var scope = NewDisposeScope();
        using var model = FamilyPrecisionTests.Load(name);
        using var reference = EmbedParityTests.Reference(name);
        bool was = PackedGemm.Enabled;
        PackedGemm.Enabled = true;
        try
        {
            long packs = PackedWeight.PacksMade;
            Tensor logits;
            using (torch.inference_mode()) logits = model.call(reference.Tensors["ref.input" + suffix]).clone();
            if (PackedGemm.IsAvailable) Assert.True(PackedWeight.PacksMade > packs, $"{name}: nothing took the packed path");
            double difference = EmbedParityTests.MaxAbsDiff(reference.Tensors["ref.logits" + suffix], logits);
            output.WriteLine($"{name}{suffix}: packed logits {difference:E2}");
            Assert.True(difference <= 1e-5, $"{name}{suffix}: packed max |diff| {difference:E2}");
        }
        finally
        {
            PackedGemm.Enabled = was;
        }
    }
}
