using System.Runtime.InteropServices;
using ShapedVit.Inference;
using ShapedVit.Layers;
using ShapedVit.Quantization;
using ShapedVit.Tests.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Performance;

/// <summary>
/// The int8 path's two products (<see cref="Int8Kernel"/>): which one each kind of CPU gets, by instruction set; that
/// fbgemm's, fed the input snapped to its DynamicQuantizeLinear codes and followed by the C# epilogue, gives oneDNN's
/// product; and the snap and the epilogue themselves. In the packed-GEMM collection: it switches the process-wide kernel.
/// </summary>
[Collection(nameof(PackedGemmCollection))]
public class Int8KernelTests
{
    private static CpuCapabilities Cpu(bool x64 = true, bool avx2 = true, bool avx512 = false, bool amx = false, bool vnni = false) =>
        new(x64, avx2, avx512, Avx512Bf16: avx512, AmxTile: amx, OneMklPackedExported: true, OneDnnExported: true, Vnni: vnni || amx);

    private static readonly Dictionary<string, (CpuCapabilities Cpu, bool FbgemmAvailable, Int8Kernel Kernel)> Kinds = new()
    {
        ["EPYC Zen 5 (AVX-512, VNNI, no AMX)"] = (Cpu(avx512: true, vnni: true), true, Int8Kernel.OneDnn), // fbgemm measured slower there (run O)
        ["EPYC Zen 5, libtorch without fbgemm's linear"] = (Cpu(avx512: true, vnni: true), false, Int8Kernel.OneDnn),
        ["Xeon with AMX (Sapphire Rapids)"] = (Cpu(avx512: true, amx: true), true, Int8Kernel.OneDnn),
        ["AVX-512 without VNNI (Skylake-SP)"] = (Cpu(avx512: true), true, Int8Kernel.OneDnn),
        ["AVX2 with AVX-VNNI (Alder Lake)"] = (Cpu(vnni: true), true, Int8Kernel.OneDnn),
        ["AVX2 only (Zen 2)"] = (Cpu(), true, Int8Kernel.OneDnn),
        ["Arm64"] = (Cpu(x64: false, avx2: false), true, Int8Kernel.OneDnn),
    };

    public static TheoryData<string> KindNames => new(Kinds.Keys);

    [Theory, MemberData(nameof(KindNames))]
    public void Each_kind_of_CPU_gets_the_int8_kernel_its_instruction_sets_call_for(string kind)
    {
        var (cpu, available, kernel) = Kinds[kind];
        Assert.Equal(kernel, Int8PackedWeight.SelectKernel(cpu, available));
    }

    [Fact]
    public void This_process_uses_the_kernel_its_CPU_calls_for()
    {
        if (!Int8Inference.IsAvailable) return;
        var cpu = CpuInference.Capabilities;
        Assert.Null(CpuInference.ForcedInt8Kernel);
        Assert.Equal(Int8PackedWeight.SelectKernel(cpu, CpuInference.Fbgemm is not null), CpuInference.ActiveInt8Kernel);
        Assert.Contains(CpuInference.ActiveInt8Kernel == Int8Kernel.Fbgemm ? "fbgemm" : "oneDNN", Int8Inference.Status);
        // On Linux x86-64 with VNNI TorchSharp's libtorch has fbgemm, which the benchmark and these tests force: it must load.
        if (OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64 && cpu.Vnni)
        {
            Assert.True(CpuInference.Fbgemm is not null, NativeFbgemm.FailureReason);
            Assert.Equal("none", NativeFbgemm.FailureReason);
        }
    }

    public static TheoryData<int, bool> Shapes => new() { { 1, false }, { 21, false }, { 21, true }, { 197, true }, { 394, false } };

    [Theory, MemberData(nameof(Shapes))]
    public void Fbgemm_gives_the_oneDNN_product_on_the_same_codes_and_GELU_stays_on_oneDNN(int rows, bool gelu)
    {
        if (!Int8Inference.IsAvailable || CpuInference.Fbgemm is not { } fbgemm) return;
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        torch.manual_seed(rows);
        using var layer = new PackableLinear(96, 200);
        var input = torch.randn(rows, 96) * 1.5 - 0.2;
        PackedWeight? oneDnnSlot = null, fbgemmSlot = null;
        var cpu = CpuInference.Capabilities;
        var byOneDnn = Int8PackedWeight.Forward(CpuInference.Native!, CpuInference.OneDnn!, layer.weight, layer.bias, ref oneDnnSlot, input, cpu, gelu)!;
        var byFbgemm = Int8PackedWeight.Forward(CpuInference.Native!, CpuInference.OneDnn!, layer.weight, layer.bias, ref fbgemmSlot, input, cpu, gelu, fbgemm)!;
        // A product with GELU stays on oneDNN, whose GELU post-op is fused into the product.
        Assert.Equal(gelu ? Int8Kernel.OneDnn : Int8Kernel.Fbgemm, ((Int8PackedWeight)fbgemmSlot!).Kernel);
        Assert.Equal(Int8Kernel.OneDnn, ((Int8PackedWeight)oneDnnSlot!).Kernel);
        var linear = nn.functional.linear(input, layer.weight, layer.bias);
        var float32 = gelu ? nn.functional.gelu(linear) : linear;
        double scale = float32.abs().max().item<float>();
        double kernels = (byFbgemm - byOneDnn).abs().max().item<float>();
        double toFloat32 = (byFbgemm - float32).abs().max().item<float>();
        // The same integer products: the kernels differ by float32 rounding (and the two erf approximations, both
        // within 1.5e-7); int8 itself is a few percent from float32.
        Assert.True(kernels <= 2e-6 * scale, $"fbgemm differs from oneDNN by {kernels:E2} (outputs up to {scale:F3})");
        Assert.True(toFloat32 > 0 && toFloat32 <= 0.05 * scale, $"int8 differs from float32 by {toFloat32:E2} (outputs up to {scale:F3})");
        PackedWeight.Release(ref oneDnnSlot);
        PackedWeight.Release(ref fbgemmSlot);
    }

    [Fact]
    public void A_range_that_ends_on_a_rounding_tie_still_multiplies_in_int8()
    {
        if (!Int8Inference.IsAvailable || CpuInference.Fbgemm is not { } fbgemm) return;
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        torch.manual_seed(5);
        using var layer = new PackableLinear(64, 32);
        // Range [-0.5, 254.5]: scale 1, zero point round(0.5) = 0, and the top end's code round(254.5) = 254, not 255.
        var input = torch.rand(4, 64) * 200;
        input[0, 0] = torch.tensor(-0.5f);
        input[1, 1] = torch.tensor(254.5f);
        PackedWeight? oneDnnSlot = null, fbgemmSlot = null;
        var cpu = CpuInference.Capabilities;
        var byOneDnn = Int8PackedWeight.Forward(CpuInference.Native!, CpuInference.OneDnn!, layer.weight, layer.bias, ref oneDnnSlot, input, cpu)!;
        var byFbgemm = Int8PackedWeight.Forward(CpuInference.Native!, CpuInference.OneDnn!, layer.weight, layer.bias, ref fbgemmSlot, input, cpu, fbgemm: fbgemm)!;
        Assert.Equal(0f, (byFbgemm - byOneDnn).abs().max().item<float>());
        PackedWeight.Release(ref oneDnnSlot);
        PackedWeight.Release(ref fbgemmSlot);
    }

    [Fact]
    public void A_model_gives_the_same_logits_on_either_kernel()
    {
        if (!Int8Inference.IsAvailable || CpuInference.Fbgemm is null) return;
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var model = new TorchvisionMicro(seed: 0);
        model.eval();
        var input = torch.randn(2, 3, 32, 32);
        Int8Inference.Quantize(model);
        try
        {
            CpuInference.ForcedInt8Kernel = Int8Kernel.OneDnn;
            var byOneDnn = Int8Inference.Predict(model, input);
            CpuInference.ForcedInt8Kernel = Int8Kernel.Fbgemm;
            var byFbgemm = Int8Inference.Predict(model, input);
            double scale = byOneDnn.abs().max().item<float>();
            double difference = (byFbgemm - byOneDnn).abs().max().item<float>();
            Assert.True(difference <= 1e-4 * scale, $"logits differ by {difference:E2} between the kernels (up to {scale:F3})");
        }
        finally
        {
            CpuInference.ForcedInt8Kernel = null;
        }
    }

    [Fact]
    public unsafe void Snapped_inputs_are_the_values_of_their_DynamicQuantizeLinear_codes()
    {
        var generator = new Random(46);
        foreach (var values in new[]
        {
            Enumerable.Range(0, 1000).Select(_ => (float)(generator.NextDouble() * 6 - 2)).ToArray(),
            Enumerable.Range(0, 333).Select(_ => (float)(-generator.NextDouble() * 3 - 0.1)).ToArray(), // all negative: max widens to 0
            Enumerable.Range(0, 333).Select(_ => (float)(generator.NextDouble() * 3 + 0.1)).ToArray(),  // all positive: min widens to 0
            Enumerable.Range(0, 300_000).Select(i => (float)Math.Sin(i) * 4 + 1).ToArray(),            // split across threads
        })
        {
            var codes = new byte[values.Length];
            var snapped = new float[values.Length];
            (float Scale, byte Zero) quantized;
            (float Scale, byte Zero)? snap;
            fixed (float* source = values)
            fixed (byte* destination = codes)
            fixed (float* snappedValues = snapped)
            {
                quantized = ActivationQuantizer.Quantize(source, destination, values.Length);
                snap = ActivationQuantizer.Snap(source, snappedValues, values.Length);
            }
            Assert.Equal(quantized, snap);
            for (int i = 0; i < values.Length; i++)
            {
                float expected = (codes[i] - quantized.Zero) * quantized.Scale;
                Assert.True(expected == snapped[i], $"element {i} of {values.Length}: {values[i]} -> {snapped[i]}, expected {expected}");
            }
        }
        // A range whose top end rounds to 254 (a tie) is refused; so is an all-zero input (both ends take code 0).
        var tie = new float[] { -0.5f, 3f, 254.5f };
        var zeros = new float[40];
        var unused = new float[40];
        fixed (float* source = tie)
        fixed (float* zero = zeros)
        fixed (float* destination = unused)
        {
            Assert.Null(ActivationQuantizer.Snap(source, destination, tie.Length));
            Assert.Null(ActivationQuantizer.Snap(zero, destination, zeros.Length));
        }
    }

    [Theory]
    [InlineData(3, 48, false)]
    [InlineData(3, 50, true)]
    [InlineData(200, 768, true)]
    public unsafe void The_epilogue_applies_the_scales_the_bias_and_the_exact_GELU(int rows, int columns, bool gelu)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(columns);
        var y = torch.randn(rows, columns) * 300;
        var scales = torch.rand(columns) * 0.02 + 0.001;
        var bias = torch.randn(columns);
        var reference = y.to(ScalarType.Float64) * scales.to(ScalarType.Float64) + bias.to(ScalarType.Float64);
        if (gelu) reference = nn.functional.gelu(reference);
        var got = y.clone();
        var gemm = CpuInference.Native;
        if (gemm is null) return;
        Int8Epilogue.Apply((float*)gemm.Data(got), rows, columns, (float*)gemm.Data(scales), (float*)gemm.Data(bias), gelu);
        GC.KeepAlive(got);
        GC.KeepAlive(scales);
        GC.KeepAlive(bias);
        double difference = (got.to(ScalarType.Float64) - reference).abs().max().item<double>();
        double magnitude = reference.abs().max().item<double>();
        // float32 rounding (a few ulp of values up to ~25) plus erf's 1.5e-7 times |x| / 2.
        Assert.True(difference <= 4e-7 * magnitude + 1e-6, $"epilogue differs from its float64 reference by {difference:E2} (values up to {magnitude:F2})");
    }
}
