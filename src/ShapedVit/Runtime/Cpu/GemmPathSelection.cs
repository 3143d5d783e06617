using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ShapedVit;

/// <summary>The float32 GEMM paths a <see cref="Layers.PackableLinear"/> can take in CPU inference.</summary>
internal enum GemmPath
{
    /// <summary>libtorch's <c>linear</c> (oneMKL's <c>sgemm</c> in the x64 builds, which packs the weight on every call).</summary>
    LibTorchLinear,

    /// <summary>oneMKL's packed SGEMM with each weight packed once (<see cref="OneMklPackedWeight"/>).</summary>
    OneMklPacked,

    /// <summary>
    /// oneDNN's inner product with each weight copied once into oneDNN's blocked layout (<see cref="OneDnnPackedWeight"/>);
    /// oneDNN picks its kernels by instruction set (AVX-512 where the CPU has it), where oneMKL also reads the vendor.
    /// </summary>
    OneDnnPacked,
}

/// <summary>What the CPU can do, as cpuid reports it, and what libtorch's CPU library offers; the vendor is not read.</summary>
/// <param name="IsX64">The process runs x86-64 code.</param>
/// <param name="Avx2Fma">AVX2 and FMA3: oneMKL's AVX2 SGEMM kernels can run.</param>
/// <param name="Avx512F">AVX-512 Foundation.</param>
/// <param name="Avx512Bf16">AVX512-BF16 (bfloat16 dot products).</param>
/// <param name="AmxTile">AMX tiles (with AMX-BF16 for bfloat16 matrix multiplication).</param>
/// <param name="OneMklPackedExported">libtorch's CPU library exports oneMKL's packed SGEMM and the tensor queries the cache needs.</param>
/// <param name="OneDnnExported">libtorch's CPU library exports oneDNN's float32 and int8 inner products and their weight re-layouts (<see cref="NativeOneDnn"/>).</param>
/// <param name="Vnni">8-bit dot products without intermediate saturation: AVX512-VNNI or AVX-VNNI (or AMX tiles).</param>
internal readonly record struct CpuCapabilities(bool IsX64, bool Avx2Fma, bool Avx512F, bool Avx512Bf16, bool AmxTile, bool OneMklPackedExported,
                                                bool OneDnnExported = false, bool Vnni = false)
{
    /// <summary>This process's CPU (cpuid leaf 7) and libtorch library.</summary>
    internal static CpuCapabilities Detect(bool oneMklPackedExported, bool oneDnnExported = false)
    {
        bool x64 = RuntimeInformation.ProcessArchitecture == Architecture.X64 && X86Base.IsSupported;
        bool avx512Bf16 = false, amx = false, vnni = false;
        if (x64)
        {
            // Leaf 7 subleaf 1 EAX bit 5: AVX512_BF16, bit 4: AVX-VNNI; leaf 7 subleaf 0 EDX bit 24: AMX-TILE, ECX bit 11: AVX512_VNNI.
            var (_, _, ecx, edx) = X86Base.CpuId(7, 0);
            var (eax1, _, _, _) = X86Base.CpuId(7, 1);
            avx512Bf16 = (eax1 & (1 << 5)) != 0;
            amx = (edx & (1 << 24)) != 0;
            vnni = (ecx & (1 << 11)) != 0 || (eax1 & (1 << 4)) != 0 || amx;
        }
        return new CpuCapabilities(x64, Avx2.IsSupported && Fma.IsSupported, System.Runtime.Intrinsics.X86.Avx512F.IsSupported, avx512Bf16, amx,
                                   oneMklPackedExported, oneDnnExported, vnni);
    }

    /// <summary>The instruction sets in a few words ("AVX-512, AVX512-BF16, no AMX").</summary>
    public override string ToString()
    {
        if (!IsX64) return "not x86-64";
        var parts = new List<string> { Avx512F ? "AVX-512" : Avx2Fma ? "AVX2+FMA" : "no AVX2" };
        if (Avx512Bf16) parts.Add("AVX512-BF16");
        if (Vnni) parts.Add("VNNI");
        parts.Add(AmxTile ? "AMX" : "no AMX");
        return string.Join(", ", parts);
    }
}

/// <summary>The path chosen for a CPU, and why, in one clause.</summary>
internal readonly record struct GemmPathSelection(GemmPath Path, string Reason)
{
    /// <summary>
    /// The float32 inference path for <paramref name="cpu"/>, by instruction set, never by vendor. oneMKL picks its
    /// kernels inside by vendor as well as by instruction set; oneDNN by instruction set alone. Measured on the project's
    /// two CPU kinds (docs/benchmarks.md): oneMKL's packed SGEMM pays on the CPUs with AMX tiles (runs F and J), where
    /// oneMKL runs its AVX-512 kernels; on AVX-512 without AMX oneMKL ran its AVX2 kernels and oneDNN's blocked inner
    /// product was faster (run L). So: the oneMKL packed path where AMX is present, oneDNN's where AVX-512 is present
    /// without AMX, and libtorch's linear everywhere else (AVX2-only CPUs, where no path was measured, and non-x86).
    /// </summary>
    internal static GemmPathSelection Select(CpuCapabilities cpu)
    {
        if (!cpu.IsX64) return new(GemmPath.LibTorchLinear, "oneMKL's packed SGEMM and oneDNN's inner product are used on x86-64 only");
        if (!cpu.Avx2Fma) return new(GemmPath.LibTorchLinear, "the CPU has no AVX2 and FMA");
        if (cpu.AmxTile)
        {
            if (cpu.OneMklPackedExported) return new(GemmPath.OneMklPacked, $"x86-64 with {cpu}");
            return cpu.OneDnnExported
                ? new(GemmPath.OneDnnPacked, $"x86-64 with {cpu}: libtorch's CPU library does not export oneMKL's packed SGEMM")
                : new(GemmPath.LibTorchLinear, "libtorch's CPU library exports neither oneMKL's packed SGEMM nor oneDNN's inner product");
        }
        if (cpu.Avx512F)
        {
            return cpu.OneDnnExported && cpu.OneMklPackedExported
                ? new(GemmPath.OneDnnPacked, $"x86-64 with {cpu}: oneDNN's AVX-512 inner product measured faster than libtorch's linear without AMX")
                : new(GemmPath.LibTorchLinear, "libtorch's CPU library does not export oneDNN's inner product and the tensor queries its cache needs");
        }
        return new(GemmPath.LibTorchLinear, $"x86-64 with {cpu}: neither copied-weight path was measured faster than libtorch's linear without AVX-512");
    }

    /// <summary>
    /// Whether bfloat16 inference (<see cref="Inference.BFloat16Inference"/>) takes oneDNN's inner product with blocked
    /// bfloat16 weights, by instruction set: where the float32 path is oneDNN's (AVX-512 without AMX) and the CPU has
    /// AVX512-BF16 dot products. There the blocked weight with the fused GELU ran the MLP's fc1 in 0.27x (batch 8) and
    /// 0.49x (batch 1) the time of libtorch's bfloat16 linear then GELU (docs/benchmarks.md, run N). With AMX, libtorch's
    /// own bfloat16 linear (oneDNN with AMX) stays, as measured in run F; without AVX512-BF16 nothing was measured.
    /// </summary>
    internal static bool BlockedBFloat16(CpuCapabilities cpu, GemmPath path) => path == GemmPath.OneDnnPacked && cpu.Avx512Bf16 && !cpu.AmxTile;
}
