using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using ShapedVit.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Performance;

// The torchvision fixtures' architectures (see /work/shared/fixtures/torchvision/*.json), generated here.

[VisionTransformer(NumClasses = 10)]
[Image(32), Patch(8), Embed(64), Depth(2), Heads(4), Mlp(256)]
public partial class MicroFixtureVit { }

[VisionTransformer(NumClasses = 7, RepresentationSize = 32)]
[Image(48), Patch(16), Embed(48), Depth(3), Heads(3), Mlp(96)]
public partial class PreLogitsFixtureVit { }

/// <summary>bfloat16 inference against torchvision's float32 logits for the same weights and images.</summary>
public class BFloat16AccuracyTests
{
    private const double RelativeTolerance = 2e-2;

    public static TheoryData<string> Fixtures => new() { "vit_micro", "vit_prelogits" };

    private static nn.Module<Tensor, Tensor> CreateModel(string fixture) => fixture switch
    {
        "vit_micro" => new MicroFixtureVit(seed: 0),
        "vit_prelogits" => new PreLogitsFixtureVit(seed: 0),
        _ => throw new ArgumentOutOfRangeException(nameof(fixture)),
    };

    /// <summary>The model with the fixture's torchvision weights, plus its input and torchvision's float32 logits.</summary>
    private static (nn.Module<Tensor, Tensor> Model, Tensor Input, Tensor Logits) Load(string fixture)
    {
        string directory = FixtureDirectory();
        var weights = SafetensorsF32.Read(Path.Combine(directory, fixture + ".safetensors"));
        var expected = SafetensorsF32.Read(Path.Combine(directory, fixture + ".expected.safetensors"));
        var model = CreateModel(fixture);
        var timmWeights = weights.ToDictionary(p => TorchvisionToTimm(p.Key), p => p.Value);
        model.load_state_dict(timmWeights, strict: true);
        model.eval();
        return (model, expected["input"], expected["logits"]);
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

    /// <summary>max |actual - expected| / max |expected|: relative to the logits' scale, so near-zero logits do not dominate.</summary>
    private static double RelativeError(Tensor actual, Tensor expected) =>
        (actual - expected).abs().max().item<float>() / (double)expected.abs().max().item<float>();

    private static string TorchvisionToTimm(string key)
    {
        string timm = key
            .Replace("encoder.layers.encoder_layer_", "blocks.")
            .Replace(".ln_1.", ".norm1.").Replace(".ln_2.", ".norm2.")
            .Replace(".self_attention.in_proj_weight", ".attn.qkv.weight").Replace(".self_attention.in_proj_bias", ".attn.qkv.bias")
            .Replace(".self_attention.out_proj.", ".attn.proj.")
            .Replace(".mlp.0.", ".mlp.fc1.").Replace(".mlp.3.", ".mlp.fc2.");
        return timm switch
        {
            "class_token" => "cls_token",
            "encoder.pos_embedding" => "pos_embed",
            _ when timm.StartsWith("conv_proj.", StringComparison.Ordinal) => "patch_embed.proj." + timm["conv_proj.".Length..],
            _ when timm.StartsWith("encoder.ln.", StringComparison.Ordinal) => "norm." + timm["encoder.ln.".Length..],
            _ when timm.StartsWith("heads.pre_logits.", StringComparison.Ordinal) => "pre_logits.fc." + timm["heads.pre_logits.".Length..],
            _ when timm.StartsWith("heads.head.", StringComparison.Ordinal) => "head." + timm["heads.head.".Length..],
            _ => timm,
        };
    }

    /// <summary>The shared fixtures, <c>../shared/fixtures/torchvision</c> from the repository root (present in CI too).</summary>
    private static string FixtureDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ShapedVit.sln"))) directory = directory.Parent;
        Assert.True(directory is not null, "repository root (ShapedVit.sln) not found above " + AppContext.BaseDirectory);
        string fixtures = Path.GetFullPath(Path.Combine(directory!.FullName, "..", "shared", "fixtures", "torchvision"));
        Assert.True(Directory.Exists(fixtures), "torchvision fixtures missing: " + fixtures);
        return fixtures;
    }

    /// <summary>
    /// A minimal safetensors reader for the F32 tensors of the fixtures, private to this test until the shared reader lands on
    /// main. Format: u64 little-endian header length, JSON header {name: {dtype, shape, data_offsets}}, raw data.
    /// </summary>
    private static class SafetensorsF32
    {
        public static Dictionary<string, Tensor> Read(string path)
        {
            byte[] bytes = File.ReadAllBytes(path);
            long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
            int dataStart = checked(8 + (int)headerLength);
            using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
            var tensors = new Dictionary<string, Tensor>();
            foreach (var entry in header.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__") continue;
                string dtype = entry.Value.GetProperty("dtype").GetString()!;
                if (dtype != "F32") throw new NotSupportedException($"{entry.Name}: dtype {dtype}, only F32 is read here.");
                long[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt32()).ToArray();
                var data = bytes.AsSpan(dataStart + offsets[0], offsets[1] - offsets[0]);
                if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian.");
                tensors[entry.Name] = torch.tensor(MemoryMarshal.Cast<byte, float>(data).ToArray(), shape);
            }
            return tensors;
        }
    }
}
