using Google.Protobuf;
using Onnx;
using ShapedVit.Checkpoints;
using ShapedVit.Tests.Families;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>
/// Each family's tiny timm model (tests/Fixtures/timm/families, declared in tests/ShapedVit.Tests/Families/FamilyModels.cs),
/// loaded strictly from timm's weights, exported and run in ONNX Runtime (ORT_ENABLE_ALL, no warnings): logits and the
/// pooled pre-logits features equal the TorchSharp model's within 1e-5 on the fixture's input, and, for a dynamic size,
/// on its non-square input the model was not built for, through the same file.
/// </summary>
public class FamilyParityTests(ITestOutputHelper output)
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "timm", "families", name);

    public static readonly Dictionary<string, Func<IVisionTransformer>> Factories = new()
    {
        ["vit"] = () => new FamilyVit(seed: 0),
        ["vit_token_1ch"] = () => new FamilyVitOneChannel(seed: 0),
        ["vit_gap_reg"] = () => new FamilyVitGapReg(seed: 0),
        ["no_pos_embed"] = () => new FamilyNoPosEmbed(seed: 0),
        ["deit_distilled"] = () => new FamilyDeitDistilled(seed: 0),
        ["deit3"] = () => new FamilyDeit3(seed: 0),
        ["clip"] = () => new FamilyClip(seed: 0),
        ["clip_quickgelu"] = () => new ClipQuickGeluVit(seed: 0),
        ["siglip_map"] = () => new FamilySiglipMap(seed: 0),
        ["siglip_gap"] = () => new FamilySiglipGap(seed: 0),
        ["dinov2"] = () => new FamilyDinov2(seed: 0),
        ["dinov2_reg"] = () => new FamilyDinov2Reg(seed: 0),
        ["qknorm_rms"] = () => new QkNormRmsVit(seed: 0),
        ["swiglu_packed"] = () => new SwiGluPackedVit(seed: 0),
        ["eva02"] = () => new Eva02Vit(seed: 0),
        ["eva02_clip"] = () => new Eva02ClipVit(seed: 0),
        ["eva02_fused"] = () => new Eva02FusedVit(seed: 0),
    };

    public static TheoryData<string> Cases() => new(Factories.Keys);

    /// <summary>The case's model with timm's weights, every key matched, in evaluation mode.</summary>
    internal static IVisionTransformer Load(string name)
    {
        var vit = Factories[name]();
        var module = (nn.Module)vit;
        using var weights = Safetensors.ReadAll(Fixture(name + ".weights.safetensors"));
        Assert.Equal(weights.Tensors.Keys.Order(StringComparer.Ordinal), module.state_dict().Keys.Order(StringComparer.Ordinal));
        module.load_state_dict(new Dictionary<string, Tensor>(weights.Tensors), strict: true);
        module.eval();
        return vit;
    }

    /// <summary>Opset 18 for a dynamic size (Resize's antialias), the default otherwise.</summary>
    internal static OnnxExportOptions Options(IVisionTransformer vit) =>
        new() { IncludePooledFeatures = true, Opset = vit.Spec.DynamicImageSize ? 18 : OnnxExportOptions.MinimumOpset };

    [Theory, MemberData(nameof(Cases))]
    public void Onnx_runtime_computes_what_the_family_model_computes(string name)
    {
        using var scope = NewDisposeScope();
        var vit = Load(name);
        using var module = (nn.Module)vit;
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File(name + ".onnx"), Options(vit));
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.Path));
        var dims = model.Graph.Input[0].Type.TensorType.Shape.Dim;
        if (vit.Spec.DynamicImageSize)
        {
            Assert.Equal(["batch", "height", "width"], new[] { dims[0].DimParam, dims[2].DimParam, dims[3].DimParam });
            Assert.Equal($"images [batch,{vit.Spec.Channels},height,width]", result.Input);
        }
        else Assert.Equal([vit.Spec.ImageHeight, vit.Spec.ImageWidth], new[] { dims[2].DimValue, dims[3].DimValue });

        using var reference = Safetensors.ReadAll(Fixture(name + ".reference.safetensors"));
        using var session = Ort.Session(result.Path);
        var inputs = new List<string> { "ref.input" };
        if (vit.Spec.DynamicImageSize) inputs.Add("ref.input_dynamic");
        foreach (var key in inputs)
        {
            var images = reference.Tensors[key];
            var (difference, pooled, magnitude) = Parity.MaxDifference(vit, session, images.shape[0], seed: 0, images);
            output.WriteLine($"{name} {key} {VitGeometry.FormatShape(images.shape)}: max |ORT - model| = {difference:E2} (logits, max |value| {magnitude:F3}), {pooled:E2} (pooled)");
            Assert.InRange(difference, 0, ParityTests.Tolerance);
            Assert.InRange(pooled, 0, ParityTests.Tolerance);
        }
    }

    /// <summary>
    /// The dynamic-size oracle catches a wrong resampling kernel: ONNX Resize's default cubic coefficient (-0.75, plain
    /// bicubic's) in place of -0.5 (the kernel of PyTorch's antialiased bicubic) fails the comparison at the non-square size.
    /// </summary>
    [Fact]
    public void A_resize_with_the_plain_bicubic_coefficient_fails_the_comparison()
    {
        using var scope = NewDisposeScope();
        var vit = Load("dinov2_reg");
        using var module = (nn.Module)vit;
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File("model.onnx"), Options(vit));
        using var reference = Safetensors.ReadAll(Fixture("dinov2_reg.reference.safetensors"));
        var images = reference.Tensors["ref.input_dynamic"];
        using (var session = Ort.Session(result.Path))
            Assert.InRange(Parity.MaxDifference(vit, session, 2, seed: 0, images).Output, 0, ParityTests.Tolerance);

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.Path));
        model.Graph.Node.Single(n => n.Name == "pos_embed.resize").Attribute.Single(a => a.Name == "cubic_coeff_a").F = -0.75f;
        File.WriteAllBytes(result.Path, model.ToByteArray());
        using var faulty = new Microsoft.ML.OnnxRuntime.InferenceSession(result.Path);
        double difference = Parity.MaxDifference(vit, faulty, 2, seed: 0, images).Output;
        output.WriteLine($"cubic_coeff_a -0.75: max |ORT - model| = {difference:E2}");
        Assert.True(difference > ParityTests.Tolerance, $"the comparison should fail, but the difference is {difference:E2}");
    }
}
