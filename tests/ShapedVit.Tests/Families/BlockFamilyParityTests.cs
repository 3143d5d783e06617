using ShapedVit.Checkpoints;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Families;

/// <summary>
/// The families whose difference from the paper's ViT is inside the blocks, against timm's own models
/// (tests/Fixtures/timm/families): timm's state_dict loads strictly, and logits, pre-logits and every output token are
/// within 1e-5 of timm's float64 outputs, at the built size and, for dynamic cases, at the non-square dynamic size.
/// </summary>
public class BlockFamilyParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "timm", "families", name);

    internal static IVisionTransformer Create(string name) => name switch
    {
        "qknorm_rms" => new QkNormRmsVit(seed: 0),
        "swiglu_packed" => new SwiGluPackedVit(seed: 0),
        "clip_quickgelu" => new ClipQuickGeluVit(seed: 0),
        "eva02" => new Eva02Vit(seed: 0),
        "eva02_clip" => new Eva02ClipVit(seed: 0),
        "eva02_fused" => new Eva02FusedVit(seed: 0),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Cases and sizes ("" built, "_dynamic" the non-square dynamic size) whose every part is generated now.</summary>
    public static TheoryData<string, string> Ready => new()
    {
        { "swiglu_packed", "" }, { "eva02", "" }, { "eva02_clip", "" }, { "eva02_fused", "" },
        // With the parts outside the blocks: the final norm's kind (qknorm_rms), norm_pre and no patch bias
        // (clip_quickgelu), the dynamic image size (the EVA-02 cases at 35x21).
        { "qknorm_rms", "" }, { "clip_quickgelu", "" }, { "eva02", "_dynamic" }, { "eva02_clip", "_dynamic" }, { "eva02_fused", "_dynamic" },
    };

    /// <summary>Loads the case's timm weights with every key matched both ways and every shape equal.</summary>
    internal static void LoadStrictly(nn.Module model, string name)
    {
        using var weights = Safetensors.ReadAll(Fixture(name + ".weights.safetensors"));
        var expected = weights.Tensors.Keys.Order(StringComparer.Ordinal).ToArray();
        var actual = model.state_dict().Keys.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, actual);
        foreach (var (key, value) in model.state_dict()) Assert.Equal(weights.Tensors[key].shape, value.shape);
        model.load_state_dict(new Dictionary<string, Tensor>(weights.Tensors), strict: true);
    }

    [Theory, MemberData(nameof(Ready))]
    public void Logits_pre_logits_and_every_token_match_timm(string name, string size) => Check(name, size);

    private void Check(string name, string suffix)
    {
        using var scope = NewDisposeScope();
        var vit = Create(name);
        var model = (nn.Module<Tensor, Tensor>)vit;
        using var _ = model;
        LoadStrictly(model, name);
        model.eval();
        using var reference = EmbedParityTests.Reference(name);
        {
            var input = reference.Tensors["ref.input" + suffix];
            using var noGrad = torch.no_grad();
            var features = vit.ForwardFeatures(input);
            var preLogits = vit.ForwardHead(features, preLogits: true);
            var logits = model.call(input);
            double f = EmbedParityTests.MaxAbsDiff(reference.Tensors["ref.features" + suffix], features);
            double p = EmbedParityTests.MaxAbsDiff(reference.Tensors["ref.pre_logits" + suffix], preLogits);
            double l = EmbedParityTests.MaxAbsDiff(reference.Tensors["ref.logits" + suffix], logits);
            output.WriteLine($"{name}{suffix}: features {f:E2}, pre-logits {p:E2}, logits {l:E2}");
            Assert.True(f <= Tolerance && p <= Tolerance && l <= Tolerance, $"{name}{suffix}: features {f:E2}, pre-logits {p:E2}, logits {l:E2}");
        }
    }
}
