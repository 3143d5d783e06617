using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ShapedVit;

/// <summary>The float32 GEMM paths a <see cref="Layers.PackableLinear"/> can take in CPU inference.</summary>
internal enum GemmPath
{
    /// <summary>libtorch's <c>linear</c> (oneMKL's <c>sgemm</c> in the x64 builds, which packs the weight on every call).</summary>
    LibTorchLinear,

    /// <summary>oneMKL's packed SGEMM with each weight packed once (<see cref="PackedWeight"/>).</summary>
    OneMklPacked,
}

/// <summary>What the CPU can do, as cpuid reports it, and what libtorch's CPU library offers; the vendor is not read.</summary>
/// <param name="IsX64">The process runs x86-64 code.</param>
/// <param name="Avx2Fma">AVX2 and FMA3: oneMKL's AVX2 SGEMM kernels can run.</param>
/// <param name="Avx512F">AVX-512 Foundation.</param>
/// <param name="Avx512Bf16">AVX512-BF16 (bfloat16 dot products).</param>
/// <param name="AmxTile">AMX tiles (with AMX-BF16 for bfloat16 matrix multiplication).</param>
/// <param name="OneMklPackedExported">libtorch's CPU library exports oneMKL's packed SGEMM and the tensor queries the cache needs.</param>
internal readonly record struct CpuCapabilities(bool IsX64, bool Avx2Fma, bool Avx512F, bool Avx512Bf16, bool AmxTile, bool OneMklPackedExported)
{
    /// <summary>This process's CPU (cpuid leaf 7) and libtorch library.</summary>
    internal static CpuCapabilities Detect(bool oneMklPackedExported)
    {
        bool x64 = RuntimeInformation.ProcessArchitecture == Architecture.X64 && X86Base.IsSupported;
        bool avx512Bf16 = false, amx = false;
        if (x64)
        {
            // Leaf 7 subleaf 1 EAX bit 5: AVX512_BF16; leaf 7 subleaf 0 EDX bit 24: AMX-TILE.
            var (_, _, _, edx) = X86Base.CpuId(7, 0);
            var (eax1, _, _, _) = X86Base.CpuId(7, 1);
            avx512Bf16 = (eax1 & (1 << 5)) != 0;
            amx = (edx & (1 << 24)) != 0;
        }
        return new CpuCapabilities(x64, Avx2.IsSupported && Fma.IsSupported, System.Runtime.Intrinsics.X86.Avx512F.IsSupported, avx512Bf16, amx, oneMklPackedExported);
    }

    /// <summary>The instruction sets in a few words ("AVX-512, AVX512-BF16, no AMX").</summary>
    public override string ToString()
    {
        if (!IsX64) return "not x86-64";
        var parts = new List<string> { Avx512F ? "AVX-512" : Avx2Fma ? "AVX2+FMA" : "no AVX2" };
        if (Avx512Bf16) parts.Add("AVX512-BF16");
        parts.Add(AmxTile ? "AMX" : "no AMX");
        return string.Join(", ", parts);
    }
}

/// <summary>The path chosen for a CPU, and why, in one clause.</summary>
internal readonly record struct GemmPathSelection(GemmPath Path, string Reason)
{
    /// <summary>
    /// The float32 inference path for <paramref name="cpu"/>, by instruction set, never by vendor. Both candidates run
    /// oneMKL's kernels, which oneMKL picks inside (by vendor as well as by instruction set); the packed one saves the
    /// per-call re-layout of the weight. Measured on the project's two CPU kinds (docs/benchmarks.md, runs F and J): it
    /// pays on the CPUs with AMX tiles, and costs on AVX-512 without AMX, where libtorch's own linear is faster at batch 1
    /// and equal at batch 8. So the packed path is chosen where AMX is present, and libtorch's linear everywhere else
    /// (including AVX2-only CPUs, where neither was measured).
    /// </summary>
    internal static GemmPathSelection Select(CpuCapabilities cpu)
    {
        if (!cpu.OneMklPackedExported) return new(GemmPath.LibTorchLinear, "libtorch's CPU library does not export oneMKL's packed SGEMM");
        if (!cpu.IsX64) return new(GemmPath.LibTorchLinear, "oneMKL's packed SGEMM is used on x86-64 only");
        if (!cpu.Avx2Fma) return new(GemmPath.LibTorchLinear, "the CPU has no AVX2 and FMA");
        if (!cpu.AmxTile) return new(GemmPath.LibTorchLinear, $"x86-64 with {cpu}: oneMKL's packed SGEMM measured slower than libtorch's linear without AMX");
        return new(GemmPath.OneMklPacked, $"x86-64 with {cpu}");
    }
}
