namespace ShapedVit.Tests.Performance;

/// <summary>
/// The float32 inference path is chosen from instruction sets and libtorch's exports, never from the vendor: the
/// selection is a pure function of <see cref="CpuCapabilities"/>, tested here with capabilities made up for each CPU kind.
/// </summary>
public class GemmPathSelectionTests
{
    private static CpuCapabilities Cpu(bool x64 = true, bool avx2 = true, bool avx512 = false, bool bf16 = false, bool amx = false, bool packedExported = true) =>
        new(x64, avx2, avx512, bf16, amx, packedExported);

    private static readonly Dictionary<string, (CpuCapabilities Cpu, GemmPath Path, string Reason)> Kinds = new()
    {
        ["Xeon with AMX (Sapphire Rapids)"] = (Cpu(avx512: true, bf16: true, amx: true), GemmPath.OneMklPacked, "x86-64 with AVX-512, AVX512-BF16, AMX"),
        ["EPYC Zen 5 (AVX-512, AVX512-BF16, no AMX)"] = (Cpu(avx512: true, bf16: true), GemmPath.LibTorchLinear, "x86-64 with AVX-512, AVX512-BF16, no AMX: oneMKL's packed SGEMM measured slower than libtorch's linear without AMX"),
        ["AVX2 only (Zen 2, Haswell)"] = (Cpu(), GemmPath.LibTorchLinear, "x86-64 with AVX2+FMA, no AMX: oneMKL's packed SGEMM measured slower than libtorch's linear without AMX"),
        ["x86-64 without AVX2"] = (Cpu(avx2: false), GemmPath.LibTorchLinear, "the CPU has no AVX2 and FMA"),
        ["Arm64"] = (Cpu(x64: false, avx2: false), GemmPath.LibTorchLinear, "oneMKL's packed SGEMM is used on x86-64 only"),
        ["libtorch without oneMKL"] = (Cpu(avx512: true, packedExported: false), GemmPath.LibTorchLinear, "libtorch's CPU library does not export oneMKL's packed SGEMM"),
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
        }
    }
}
