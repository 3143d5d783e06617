using ShapedVit.Checkpoints;
using ShapedVit.Layers;
using ShapedVit.Testing;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Families;

/// <summary>
/// The families outside the encoder blocks (prefix tokens, position embedding, dynamic image size, pre/final norm, pooling
/// and heads), each loaded strictly with timm's weights, reproduce timm's logits, pre-logits and every feature token within
/// 1e-5 (tests/Fixtures/timm/families; the dynamic cases also at a non-square size they were not built for). The last
/// tests plant one fault each and show the same oracle catches it.
/// </summary>
public class EmbedParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static readonly string Folder = Path.Combine(RepositoryRoot.Path, "tests", "Fixtures", "timm", "families");

    public static TheoryData<string> Cases() =>
        new() { "vit", "vit_token_1ch", "vit_gap_reg", "deit_distilled", "deit3", "clip", "siglip_map", "siglip_gap", "dinov2", "dinov2_reg", "no_pos_embed" };

    internal static (nn.Module<Tensor, Tensor> Model, IVisionTransformer Vit) Create(string name) => name switch
    {
        "vit" => Wrap(new FamilyVit(seed: 0)),
        "vit_token_1ch" => Wrap(new FamilyVitOneChannel(seed: 0)),
        "vit_gap_reg" => Wrap(new FamilyVitGapReg(seed: 0)),
        "deit_distilled" => Wrap(new FamilyDeitDistilled(seed: 0)),
        "deit3" => Wrap(new FamilyDeit3(seed: 0)),
        "clip" => Wrap(new FamilyClip(seed: 0)),
        "siglip_map" => Wrap(new FamilySiglipMap(seed: 0)),
        "siglip_gap" => Wrap(new FamilySiglipGap(seed: 0)),
        "dinov2" => Wrap(new FamilyDinov2(seed: 0)),
        "dinov2_reg" => Wrap(new FamilyDinov2Reg(seed: 0)),
        "no_pos_embed" => Wrap(new FamilyNoPosEmbed(seed: 0)),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static (nn.Module<Tensor, Tensor>, IVisionTransformer) Wrap<T>(T model) where T : nn.Module<Tensor, Tensor>, IVisionTransformer => (model, model);

    /// <summary>The case's model with timm's weights, loaded strictly (the file's keys are exactly the model's), in evaluation mode.</summary>
    internal static (nn.Module<Tensor, Tensor> Model, IVisionTransformer Vit) Load(string name)
    {
        var (model, vit) = Create(name);
        string weights = Path.Combine(Folder, name + ".weights.safetensors");
        using (var file = Safetensors.ReadAll(weights))
            Assert.Equal(file.Tensors.Keys.Order(StringComparer.Ordinal), model.state_dict().Keys.Order(StringComparer.Ordinal));
        var result = model.LoadSafetensors(weights);
        Assert.Equal(CheckpointNaming.Timm, result.Naming);
        Assert.Null(result.PositionEmbeddingResampledFrom);
        Assert.False(result.PositionEmbeddingPrefixRowsAdded);
        model.eval();
        return (model, vit);
    }

    internal static SafetensorsFile Reference(string name) => Safetensors.ReadAll(Path.Combine(Folder, name + ".reference.safetensors"));

    internal static double MaxAbsDiff(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        return (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max().item<double>();
    }

    /// <summary>The largest error of logits, pre-logits and features at the reference input (suffix "" or "_dynamic").</summary>
    private static (double Logits, double PreLogits, double Features) Errors(nn.Module<Tensor, Tensor> model, IVisionTransformer vit, SafetensorsFile reference, string suffix)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = reference.Tensors["ref.input" + suffix];
        var features = vit.ForwardFeatures(input);
        return (MaxAbsDiff(reference.Tensors["ref.logits" + suffix], model.forward(input)),
                MaxAbsDiff(reference.Tensors["ref.pre_logits" + suffix], vit.ForwardHead(features, preLogits: true)),
                MaxAbsDiff(reference.Tensors["ref.features" + suffix], features));
    }

    [Theory, MemberData(nameof(Cases))]
    public void Logits_pre_logits_and_every_token_match_timm(string name)
    {
        using var scope = NewDisposeScope();
        var (model, vit) = Load(name);
        using var _ = model;
        using var reference = Reference(name);
        var suffixes = reference.Tensors.ContainsKey("ref.input_dynamic") ? new[] { "", "_dynamic" } : new[] { "" };
        Assert.Equal(vit.Spec.DynamicImageSize, suffixes.Length == 2);
        foreach (var suffix in suffixes)
        {
            var (logits, preLogits, features) = Errors(model, vit, reference, suffix);
            output.WriteLine($"{name}{suffix} {VitGeometry.FormatShape(reference.Tensors["ref.input" + suffix].shape)}: " +
                             $"max |error| logits {logits:E2}, pre-logits {preLogits:E2}, features {features:E2}");
            Assert.InRange(logits, 0, Tolerance);
            Assert.InRange(preLogits, 0, Tolerance);
            Assert.InRange(features, 0, Tolerance);
        }
        // A tolerance that any weights could meet would prove nothing: the outputs are far larger than it.
        Assert.True(reference.Tensors["ref.logits"].abs().max().item<float>() > 1000 * Tolerance);
    }

    [Theory, MemberData(nameof(Cases))]
    public void Intermediates_agree_with_the_forwards_and_split_the_prefix_tokens_off(string name)
    {
        using var scope = NewDisposeScope();
        var (model, vit) = Load(name);
        using var _ = model;
        using var reference = Reference(name);
        string suffix = vit.Spec.DynamicImageSize ? "_dynamic" : "";
        var input = reference.Tensors["ref.input" + suffix];
        using var noGrad = torch.no_grad();
        using var intermediates = vit.ForwardWithIntermediates(input, attention: true);
        long gridHeight = input.shape[2] / vit.Spec.PatchHeight, gridWidth = input.shape[3] / vit.Spec.PatchWidth;
        Assert.Equal(vit.Geometry.PrefixTokens, intermediates.PrefixTokens);
        Assert.Equal((gridHeight, gridWidth), (intermediates.GridHeight, intermediates.GridWidth));
        long length = vit.Geometry.PrefixTokens + gridHeight * gridWidth;
        Assert.Equal(vit.Spec.Depth, intermediates.HiddenStates.Count);
        Assert.Equal(new[] { 2L, vit.Spec.Heads, length, length }, intermediates.Attentions[0].shape);
        Assert.InRange(MaxAbsDiff(reference.Tensors["ref.features" + suffix], intermediates.Features), 0, Tolerance);
        Assert.InRange(MaxAbsDiff(reference.Tensors["ref.logits" + suffix], intermediates.Logits!), 0, Tolerance);
        var last = intermediates.HiddenStates[^1];
        var map = intermediates.PatchTokens(vit.Spec.Depth - 1);                       // timm's NCHW
        Assert.Equal(new[] { 2L, vit.Spec.EmbedDim, gridHeight, gridWidth }, map.shape);
        Assert.Equal(0, MaxAbsDiff(last.narrow(1, vit.Geometry.PrefixTokens, gridHeight * gridWidth), map.permute(0, 2, 3, 1).reshape(2, -1, vit.Spec.EmbedDim)));
        if (vit.Geometry.PrefixTokens > 0)
            Assert.Equal(0, MaxAbsDiff(intermediates.HiddenStates[0].narrow(1, 0, vit.Geometry.PrefixTokens), intermediates.PrefixTokenStates(0)));
    }

    [Fact]
    public void A_dynamic_model_takes_any_size_of_whole_patches_and_says_which_sizes_when_refused()
    {
        using var scope = NewDisposeScope();
        using var model = new FamilyVitGapReg(seed: 0);
        model.eval();
        using var noGrad = torch.no_grad();
        Assert.Equal(new[] { 1L, 5 }, model.forward(torch.randn(1, 3, 8, 56)).shape);    // a 1 x 7 grid
        Assert.Equal(new[] { 1L, 5 }, model.forward(torch.randn(1, 3, 32, 32)).shape);   // the declared size, no resampling
        var error = Assert.Throws<ArgumentException>(() => model.forward(torch.randn(1, 3, 30, 32)));
        Assert.Contains("whole 8x8 patches", error.Message);
        Assert.Contains("declared size 32x32", error.Message);
        Assert.Contains("[1,3,30,32]", error.Message);
        Assert.Throws<ArgumentException>(() => model.forward(torch.randn(1, 3, 0, 32)));
        Assert.Contains("channel", Assert.Throws<ArgumentException>(() => model.forward(torch.randn(1, 1, 32, 32))).Message);
        // The constants stay the declared size's: what preprocessing resizes to.
        Assert.Equal((32, 32, 16, 18), (FamilyVitGapReg.ImageHeight, FamilyVitGapReg.ImageWidth, FamilyVitGapReg.NumPatches, FamilyVitGapReg.SequenceLength));
    }

    [Fact]
    public void A_model_of_a_declared_size_still_refuses_other_sizes()
    {
        using var scope = NewDisposeScope();
        using var model = new FamilyDeit3(seed: 0);
        var error = Assert.Throws<ArgumentException>(() => model.forward(torch.randn(1, 3, 40, 24)));
        Assert.Contains("[B,3,32,32]", error.Message);
    }

    [Fact]
    public void The_distilled_model_counts_its_distillation_token_as_a_prefix_token_and_averages_its_two_heads()
    {
        Assert.Equal(2, FamilyDeitDistilled.PrefixTokens);
        Assert.Equal(18, FamilyDeitDistilled.SequenceLength);
        using var scope = NewDisposeScope();
        var (model, vit) = Load("deit_distilled");
        using var _ = model;
        var state = model.state_dict();
        using var noGrad = torch.no_grad();
        var features = vit.ForwardFeatures(torch.randn(2, 3, 32, 32));
        var cls = features.select(1, 0);
        var dist = features.select(1, 1);
        var expected = (nn.functional.linear(cls, state["head.weight"], state["head.bias"]) + nn.functional.linear(dist, state["head_dist.weight"], state["head_dist.bias"])) / 2;
        Assert.InRange(MaxAbsDiff(expected, vit.ForwardHead(features)), 0, 1e-6);
        // timm averages in training too unless distilled_training is set, which ShapedVit does not offer.
        model.train();
        Assert.InRange(MaxAbsDiff(expected, vit.ForwardHead(features)), 0, 1e-6);
    }

    // ---- the oracles catch planted faults ---------------------------------------------------------------------------

    [Theory]
    [InlineData("vit_gap_reg")]
    [InlineData("siglip_map")]
    [InlineData("dinov2")]
    public void Plain_bicubic_resampling_instead_of_antialiased_is_caught(string name)
    {
        using var scope = NewDisposeScope();
        var (model, vit) = Load(name);
        using var _ = model;
        using var reference = Reference(name);
        double faulty;
        DynamicPositionEmbedding.PlainBicubicForTests = true;
        try { faulty = Errors(model, vit, reference, "_dynamic").Features; }
        finally { DynamicPositionEmbedding.PlainBicubicForTests = false; }
        double correct = Errors(model, vit, reference, "_dynamic").Features;
        output.WriteLine($"{name}: features error antialiased {correct:E2}, plain bicubic {faulty:E2}");
        Assert.InRange(correct, 0, Tolerance);
        Assert.True(faulty > 100 * Tolerance, $"plain bicubic came within {faulty:E2} of timm's antialiased resampling");
    }

    [Theory]
    [InlineData("vit_gap_reg")]
    [InlineData("dinov2_reg")]
    public void Swapped_register_tokens_are_caught(string name)
    {
        using var scope = NewDisposeScope();
        var (model, vit) = Load(name);
        using var _ = model;
        using var reference = Reference(name);
        var registers = model.state_dict()["reg_token"];
        using (torch.no_grad())
            registers.copy_(registers.flip(1)); // the registers in reverse order: same tokens, other slots
        var (logits, _, features) = Errors(model, vit, reference, "");
        output.WriteLine($"{name} with its registers reversed: logits error {logits:E2}, features error {features:E2}");
        // Without position slots, attention cannot tell the registers apart, so the patches and the logits are unchanged:
        // only the comparison of every output token sees the fault.
        Assert.True(features > 100 * Tolerance, $"reversed registers came within {features:E2} of timm's features");
    }

    [Fact]
    public void Mean_pooling_that_includes_a_prefix_token_is_caught()
    {
        const string name = "vit_gap_reg";
        using var scope = NewDisposeScope();
        var (model, vit) = Load(name);
        using var _ = model;
        using var reference = Reference(name);
        using var noGrad = torch.no_grad();
        var features = vit.ForwardFeatures(reference.Tensors["ref.input"]);
        long prefix = vit.Geometry.PrefixTokens, length = features.shape[1];
        var state = model.state_dict();
        Tensor Head(Tensor pooled) => state.TryGetValue("fc_norm.weight", out var weight)
            ? nn.functional.layer_norm(pooled, [vit.Spec.EmbedDim], weight, state["fc_norm.bias"], vit.Spec.LayerNormEps)
            : pooled;
        // The control: this re-computation of the head, with timm's pooling, meets the oracle.
        Assert.InRange(MaxAbsDiff(reference.Tensors["ref.pre_logits"], Head(features.narrow(1, prefix, length - prefix).mean([1]))), 0, Tolerance);
        // The fault: one token too many, the last register.
        double faulty = MaxAbsDiff(reference.Tensors["ref.pre_logits"], Head(features.narrow(1, prefix - 1, length - prefix + 1).mean([1])));
        output.WriteLine($"{name}: pre-logits error with a prefix token in the mean {faulty:E2}");
        Assert.True(faulty > 100 * Tolerance, $"pooling one token too many came within {faulty:E2} of timm's pre-logits");
    }
}
