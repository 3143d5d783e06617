namespace ShapedVit.Tests.Performance;

/// <summary>
/// The float32 inference path is chosen from instruction sets and libtorch's exports, never from the vendor: the
/// selection is a pure function of <see cref="CpuCapabilities"/>, tested here with capabilities made up for each CPU kind.
/// </summary>
public class GemmPathSelectionTests
{
    private static CpuCapabilities Cpu(bool x64 = true, bool avx2 = true, bool avx512 = false, bool bf16 = false, bool amx = false, bool packedExported = true,
                                       bool oneDnnExported = true, bool vnni = false) =>
        new(x64, avx2, avx512, bf16, amx, packedExported, oneDnnExported, vnni);

    private static readonly Dictionary<string, (CpuCapabilities Cpu, GemmPath Path, string Reason)> Kinds = new()
    {
        ["Xeon with AMX (Sapphire Rapids)"] = (Cpu(avx512: true, bf16: true, amx: true), GemmPath.OneMklPacked, "x86-64 with AVX-512, AVX512-BF16, AMX"),
        ["Xeon with AMX, VNNI"] = (Cpu(avx512: true, bf16: true, amx: true, vnni: true), GemmPath.OneMklPacked, "x86-64 with AVX-512, AVX512-BF16, VNNI, AMX"),
        ["Xeon with AMX, libtorch without oneMKL"] = (Cpu(avx512: true, amx: true, packedExported: false), GemmPath.OneDnnPacked, "x86-64 with AVX-512, AMX: libtorch's CPU library does not export oneMKL's packed SGEMM"),
        ["Xeon with AMX, libtorch with neither"] = (Cpu(avx512: true, amx: true, packedExported: false, oneDnnExported: false), GemmPath.LibTorchLinear, "libtorch's CPU library exports neither oneMKL's packed SGEMM nor oneDNN's inner product"),
        ["EPYC Zen 5 (AVX-512, AVX512-BF16, VNNI, no AMX)"] = (Cpu(avx512: true, bf16: true, vnni: true), GemmPath.OneDnnPacked, "x86-64 with AVX-512, AVX512-BF16, VNNI, no AMX: oneDNN's AVX-512 inner product measured faster than libtorch's linear without AMX"),
        ["EPYC Zen 4 (AVX-512, no AMX)"] = (Cpu(avx512: true), GemmPath.OneDnnPacked, "x86-64 with AVX-512, no AMX: oneDNN's AVX-512 inner product measured faster than libtorch's linear without AMX"),
        ["AVX-512 without AMX, libtorch without oneDNN"] = (Cpu(avx512: true, oneDnnExported: false), GemmPath.LibTorchLinear, "libtorch's CPU library does not export oneDNN's inner product and the tensor queries its cache needs"),
        ["AVX2 only (Zen 2, Haswell)"] = (Cpu(), GemmPath.LibTorchLinear, "x86-64 with AVX2+FMA, no AMX: neither copied-weight path was measured faster than libtorch's linear without AVX-512"),
        ["x86-64 without AVX2"] = (Cpu(avx2: false), GemmPath.LibTorchLinear, "the CPU has no AVX2 and FMA"),
        ["Arm64"] = (Cpu(x64: false, avx2: false), GemmPath.LibTorchLinear, "oneMKL's packed SGEMM and oneDNN's inner product are used on x86-64 only"),
        ["libtorch without oneMKL"] = (Cpu(avx512: true, packedExported: false), GemmPath.LibTorchLinear, "libtorch's CPU library does not export oneDNN's inner product and the tensor queries its cache needs"),
    };

    public static TheoryData<string> KindNames => new(Kinds.Keys);

    [Theory]
    [MemberData(nameof(KindNames))]
    public void Each_kind_of_CPU_gets_the_path_its_instruction_sets_call_for(string kind)
    {
        var (cpu, path, reason) = Kinds[kind];
        var selection = GemmPathSelection.Select(cpu);
        Assert.True(selection.Path == path, $"{kind}: {selection}");
        Assert.Equal(reason, selection.Reason);
    }

    [Theory]
    [InlineData("Xeon with AMX (Sapphire Rapids)", false)]
    [InlineData("EPYC Zen 5 (AVX-512, AVX512-BF16, VNNI, no AMX)", true)]
    [InlineData("EPYC Zen 4 (AVX-512, no AMX)", false)]
    [InlineData("AVX-512 without AMX, libtorch without oneDNN", false)]
    [InlineData("AVX2 only (Zen 2, Haswell)", false)]
    [InlineData("Arm64", false)]
    public void Blocked_bfloat16_weights_are_taken_where_AVX512_BF16_runs_without_AMX_on_oneDNN_s_path(string kind, bool blocked)
    {
        var cpu = Kinds[kind].Cpu;
        Assert.Equal(blocked, GemmPathSelection.BlockedBFloat16(cpu, GemmPathSelection.Select(cpu).Path));
    }

    [Fact]
    public void This_machine_s_capabilities_come_from_cpuid()
    {
        var cpu = CpuCapabilities.Detect(oneMklPackedExported: true);
        if (!cpu.IsX64) return;
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx512F.IsSupported, cpu.Avx512F);
        Assert.Equal(System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported, cpu.Avx2Fma);
        // /proc/cpuinfo names the same flags the kernel read with cpuid.
        if (File.Exists("/proc/cpuinfo"))
        {
            var flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal)).Split(' ');
            Assert.Equal(flags.Contains("avx512_bf16"), cpu.Avx512Bf16);
            Assert.Equal(flags.Contains("amx_tile"), cpu.AmxTile);
            Assert.Equal(flags.Contains("avx512_vnni") || flags.Contains("avx_vnni") || flags.Contains("amx_tile"), cpu.Vnni);
        }
    }

    [Theory]
    [InlineData(true, false, 127)]
    [InlineData(false, true, 127)]
    [InlineData(false, false, 63)]
    public void Int8_weights_use_7_bits_where_8_bit_products_could_saturate(bool vnni, bool amx, int levels)
    {
        // AVX2 and AVX-512 without VNNI add u8 x s8 pairs in 16 bits: 255 * 127 * 2 overflows, 255 * 63 * 2 does not.
        Assert.Equal(levels, Int8PackedWeight.LevelsFor(Cpu(avx512: true, amx: amx, vnni: vnni || amx)));
    }
}
