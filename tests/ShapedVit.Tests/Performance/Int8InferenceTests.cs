using ShapedVit.Checkpoints;
using ShapedVit.Inference;
using ShapedVit.Layers;
using ShapedVit.Quantization;
using ShapedVit.Tests.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Performance;

/// <summary>
/// int8 dynamic quantization (<see cref="Int8Inference"/>): what it computes, which layers it covers, how far its logits
/// are from float32, and that its copies follow the float32 weights. In the packed-GEMM collection because it counts
/// copies, a process-wide number.
/// </summary>
[Collection(nameof(PackedGemmCollection))]
public class Int8InferenceTests(ITestOutputHelper output)
{
    private static (nn.Module<Tensor, Tensor> Model, Tensor Input) Fixture(string fixture)
    {
        nn.Module<Tensor, Tensor> model = fixture switch
        {
            "vit_micro" => new TorchvisionMicro(seed: 0),
            "vit_prelogits" => new TorchvisionPrelogits(seed: 0),
            _ => throw new ArgumentOutOfRangeException(nameof(fixture)),
        };
        model.LoadSafetensors(TorchvisionParityTests.Fixture(fixture + ".safetensors"));
        model.eval();
        using var expected = Safetensors.ReadAll(TorchvisionParityTests.Fixture(fixture + ".expected.safetensors"));
        return (model, expected.Detach()["input"]);
    }

    private static Tensor Float32(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        using var inference = torch.inference_mode();
        return model.forward(input).clone();
    }

    public static TheoryData<string> Fixtures => new() { "vit_micro", "vit_prelogits" };

    [Theory, MemberData(nameof(Fixtures))]
    public void Int8_logits_stay_close_to_float32_and_agree_on_the_top_class(string fixture)
    {
        if (!Int8Inference.IsAvailable) return; // then quantized layers run float32, tested below
        using var scope = NewDisposeScope();
        var (model, fixtureInput) = Fixture(fixture);
        using var _ = model;
        // The fixture's images and 62 more from the same distribution (normalised pixels).
        var images = torch.cat([fixtureInput, torch.randn([62, .. fixtureInput.shape[1..]], generator: new Generator(31))], 0);
        var expected = Float32(model, images);

        Int8Inference.Quantize(model);
        var got = Int8Inference.Predict(model, images);

        double maxDifference = (got - expected).abs().max().item<float>();
        double range = expected.abs().max().item<float>();
        double agreement = (got.argmax(1) == expected.argmax(1)).to(ScalarType.Float32).mean().item<float>();
        output.WriteLine($"{fixture}: max |int8 - float32| logit {maxDifference:E2} (largest |logit| {range:F3}), top-1 agreement {agreement:P1} over {images.shape[0]} images; {Int8Inference.Status}");
        Assert.True(maxDifference > 0, "int8 logits equal float32 ones exactly: the model did not run in int8");
        Assert.True(maxDifference <= 0.05 * range, $"max |int8 - float32| {maxDifference:E2} > 5 % of the largest logit {range:F3}");
        Assert.True(agreement >= 0.9, $"top-1 agreement {agreement:P1} < 90 %");
    }

    [Fact]
    public void Every_linear_in_the_blocks_is_quantized_and_copied_once()
    {
        if (!Int8Inference.IsAvailable) return;
        using var scope = NewDisposeScope();
        var (model, input) = Fixture("vit_prelogits");
        using var _ = model;
        // Every Linear in the blocks is a PackableLinear (a plain Linear there would escape quantization).
        var blockModules = model.named_modules().Where(m => m.name.StartsWith("blocks.", StringComparison.Ordinal) || m.name.StartsWith("encoder.", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(blockModules, m => m.module is Linear);
        var linears = blockModules.Where(m => m.module is PackableLinear).Select(m => m.name).ToList();
        Assert.Equal(3 * 4, linears.Count); // depth 3: qkv, proj, fc1, fc2

        Int8Inference.Quantize(model);
        Assert.Equal(linears.OrderBy(n => n, StringComparer.Ordinal), Int8Inference.QuantizedLayers(model).Where(n => linears.Contains(n)).OrderBy(n => n, StringComparer.Ordinal));
        Assert.All(blockModules.Select(m => m.module).OfType<PackableLinear>(), layer => Assert.True(Int8Inference.IsQuantized(layer)));

        long before = PackedWeight.PacksMade;
        Int8Inference.Predict(model, input);
        Int8Inference.Predict(model, input);
        Assert.Equal(linears.Count, PackedWeight.PacksMade - before);
    }

    [Fact]
    public void A_quantized_linear_computes_the_product_of_the_dequantized_input_and_weight()
    {
        if (!Int8Inference.IsAvailable) return;
        using var scope = NewDisposeScope();
        torch.manual_seed(41);
        using var layer = new PackableLinear(96, 40);
        layer.eval();
        var input = torch.randn(3, 7, 96, generator: new Generator(42)) * 2 + 0.5;
        Int8Inference.Quantize(layer);
        var got = Int8Inference.Predict(layer, input);

        // The same arithmetic in float64: ONNX's DynamicQuantizeLinear on the input, symmetric per-row int8 on the weight.
        int levels = Int8PackedWeight.LevelsFor(CpuInference.Capabilities);
        var (q, scales) = Int8PackedWeight.QuantizeWeight(layer.weight, levels);
        var x = input.to(ScalarType.Float64);
        double min = Math.Min(0, x.min().item<double>()), max = Math.Max(0, x.max().item<double>());
        var (scale, zero) = ActivationQuantizer.Parameters((float)min, (float)max);
        var qx = ((x / scale).round() + zero).clamp(0, 255);
        var expected = ((qx - zero) * scale).matmul(((q.to(ScalarType.Float64) * scales.to(ScalarType.Float64).unsqueeze(1))).t()) + layer.bias!.to(ScalarType.Float64);
        double difference = (got.to(ScalarType.Float64) - expected).abs().max().item<double>();
        Assert.True(difference < 1e-4, $"int8 linear differs from its float64 reference by {difference:E2}");
    }

    [Fact]
    public void Autograd_on_runs_float32_and_dequantize_returns_to_float32()
    {
        if (!Int8Inference.IsAvailable) return;
        using var scope = NewDisposeScope();
        var (model, input) = Fixture("vit_micro");
        using var _ = model;
        var expected = Float32(model, input);
        Int8Inference.Quantize(model);
        Assert.NotEqual(0f, (Int8Inference.Predict(model, input) - expected).abs().max().item<float>());
        var withGrad = model.forward(input); // autograd on: float32, gradients available
        Assert.InRange((withGrad - expected).abs().max().item<float>(), 0f, 1e-5f);
        Int8Inference.Dequantize(model);
        Assert.Empty(Int8Inference.QuantizedLayers(model));
        Assert.InRange((Float32(model, input) - expected).abs().max().item<float>(), 0f, 1e-5f);
    }

    [Fact]
    public void A_weight_changed_after_quantizing_is_quantized_again()
    {
        if (!Int8Inference.IsAvailable) return;
        using var scope = NewDisposeScope();
        torch.manual_seed(43);
        using var layer = new PackableLinear(64, 32);
        layer.eval();
        var input = torch.randn(5, 64, generator: new Generator(44));
        Int8Inference.Quantize(layer);
        var first = Int8Inference.Predict(layer, input);
        long before = PackedWeight.PacksMade;
        using (torch.no_grad()) layer.weight.mul_(-2.0);
        var second = Int8Inference.Predict(layer, input);
        Assert.Equal(1, PackedWeight.PacksMade - before);
        var bias = layer.bias!.detach();
        // (-2 W) x + b = -2 (W x + b) + 3 b, to int8 rounding (the weight's scales double, its integers change sign).
        Assert.InRange((second - (-2 * first + 3 * bias)).abs().max().item<float>(), 0f, 5e-2f);
    }

    [Fact]
    public unsafe void Activations_are_quantized_as_DynamicQuantizeLinear_defines()
    {
        var generator = new Random(45);
        foreach (var values in new[]
        {
            Enumerable.Range(0, 1000).Select(_ => (float)(generator.NextDouble() * 6 - 2)).ToArray(),
            Enumerable.Range(0, 333).Select(_ => (float)(-generator.NextDouble() * 3 - 0.1)).ToArray(), // all negative: max widens to 0
            new float[77],                                                                            // all zero
            Enumerable.Range(0, 300_000).Select(i => (float)Math.Sin(i) * 4 + 1).ToArray(),           // split across threads
        })
        {
            var quantized = new byte[values.Length];
            (float Scale, byte Zero) got;
            fixed (float* source = values)
            fixed (byte* destination = quantized)
                got = ActivationQuantizer.Quantize(source, destination, values.Length);
            float min = Math.Min(0f, values.Min()), max = Math.Max(0f, values.Max());
            float scale = max == min ? 1f : (max - min) / 255f;
            byte zero = max == min ? (byte)0 : (byte)MathF.Round(Math.Clamp(-min / scale, 0f, 255f), MidpointRounding.ToEven);
            Assert.Equal((scale, zero), got);
            for (int i = 0; i < values.Length; i++)
            {
                float expected = Math.Clamp(MathF.Round(values[i] / scale, MidpointRounding.ToEven) + zero, 0f, 255f);
                Assert.True(expected == quantized[i], $"element {i} of {values.Length}: {values[i]} -> {quantized[i]}, expected {expected}");
            }
        }
        // Halves round to even, as ONNX specifies: scale 1 and zero point 0 for the range [0, 255].
        var ties = new float[64];
        for (int i = 0; i < 64; i++) ties[i] = i + 0.5f;
        ties[63] = 255f;
        var q = new byte[64];
        fixed (float* source = ties)
        fixed (byte* destination = q)
            Assert.Equal((1f, (byte)0), ActivationQuantizer.Quantize(source, destination, 64));
        for (int i = 0; i < 63; i++) Assert.Equal((byte)(i % 2 == 0 ? i : i + 1), q[i]);
    }
}
