using System.Runtime.InteropServices;

namespace ShapedVit;

/// <summary>
/// Keeps the C allocator from handing a forward pass's large activations back to the operating system after every
/// call. libtorch allocates CPU tensors with the C library's allocator; with glibc's defaults, activation buffers of a
/// few MiB are mapped and unmapped on each call, and every page of them is faulted in and zeroed again on the next. This
/// sets glibc's mmap threshold to <see cref="MmapThresholdBytes"/> and its trim threshold to
/// <see cref="TrimThresholdBytes"/>, and turns off glibc's mapping of single blocks (<c>M_MMAP_MAX</c> 0) so that blocks
/// above the largest mmap threshold glibc allows (32 MiB: the qkv output and MLP hidden activation of DINOv2 at 518 px,
/// batch 8) come from the heap too; freed activations stay in the process for the next call.
/// </summary>
/// <remarks>
/// <para>When: ShapedVit applies it once per process, at the first inference forward (autograd off) of a CPU model's
/// Linear layer, or earlier where the application calls <see cref="EnsureTuned"/>. Building a model changes nothing.
/// The thresholds are glibc's and so process-wide: they apply to every allocation of the process from then on.</para>
/// <para>Memory it holds: memory freed after that point stays mapped in the process instead of going back to the
/// system. The bound: glibc gives the free memory at the top of a heap back once it reaches
/// <see cref="TrimThresholdBytes"/> (1 GiB), so each heap keeps at most that much free at its top, and never more than the
/// process (ShapedVit and any other code in it) had in use at once; free blocks below memory still in use are kept as
/// with glibc's defaults. So after other code mallocs and frees a large amount, a process that then allocates memory it
/// cannot take from the C heap needs at most 1 GiB (per heap) more than with glibc's defaults; the tests check this under
/// a memory cap, and docs/benchmarks.md ("Allocator: retained memory under a cap", Run I) has the figures. Blocks of any
/// size come from the heap in the thread's arena: only a block larger than a secondary arena's heap (64 MiB) is still
/// mapped on its own, by glibc's fallback. The peak itself is somewhat higher than with glibc's defaults, because glibc
/// then reuses freed blocks instead of mapping fresh ones.
/// <see cref="FreeHeapBytes"/> says how much freed memory the C allocator holds now; <see cref="Trim"/> gives it back
/// to the system (the next forward then faults its activations in again). A long-running server bounds what it holds
/// between requests by calling <see cref="Trim"/> when it goes idle, or keeps glibc's defaults with an off switch.
/// docs/benchmarks.md has the measurements.</para>
/// <para>Off switches, either of which leaves the allocator exactly as it was: the runtime configuration switch
/// <see cref="KeepDefaultsSwitch"/> (in a project file:
/// <c>&lt;RuntimeHostConfigurationOption Include="ShapedVit.CpuAllocator.KeepDefaults" Value="true" /&gt;</c>), or the
/// environment variable <see cref="KeepDefaultsVariable"/> set to <c>1</c>. It is also skipped where glibc is not the C
/// library, and where the process already chose its own thresholds through glibc's environment variables
/// (<c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>, <c>MALLOC_MMAP_MAX_</c>, or malloc tunables in <c>GLIBC_TUNABLES</c>).</para>
/// </remarks>
public static class CpuAllocator
{
    /// <summary>The runtime configuration switch that, when true, keeps the C allocator's defaults.</summary>
    public const string KeepDefaultsSwitch = "ShapedVit.CpuAllocator.KeepDefaults";

    /// <summary>The environment variable that, set to <c>1</c> or <c>true</c>, keeps the C allocator's defaults.</summary>
    public const string KeepDefaultsVariable = "SHAPEDVIT_KEEP_ALLOCATOR_DEFAULTS";

    /// <summary>The mmap threshold set (glibc's largest allowed); with mapped blocks off it matters only where glibc falls back to mapping.</summary>
    public const int MmapThresholdBytes = 32 * 1024 * 1024;

    /// <summary>Free memory at the top of the heap up to this size is kept rather than returned to the system.</summary>
    public const int TrimThresholdBytes = 1024 * 1024 * 1024;

    private const int MTrimThreshold = -1, MMmapThreshold = -3, MMmapMax = -4; // glibc's malloc.h
    private const int GlibcDefaultMmapMax = 65536;
    private static readonly object gate = new();
    private static volatile bool decided;

    /// <summary>Whether the thresholds were set in this process.</summary>
    public static bool IsTuned { get; private set; }

    /// <summary>Why the thresholds were or were not set, in one sentence.</summary>
    public static string Status { get; private set; } = "not applied yet (it is applied at the first inference forward)";

    /// <summary>Applies the tuning once per process unless switched off (see the type's remarks); returns <see cref="IsTuned"/>.</summary>
    public static bool EnsureTuned()
    {
        if (decided) return IsTuned; // set last, after IsTuned and Status
        lock (gate)
        {
            if (decided) return IsTuned;
            var skip = ReasonToSkip(Environment.GetEnvironmentVariable, OffSwitch.IsSet(KeepDefaultsSwitch), RuntimeInformation.IsOSPlatform(OSPlatform.Linux));
            if (skip is null)
            {
                try
                {
                    if (!IsGlibc())
                    {
                        Status = "the C library is not glibc";
                    }
                    else
                    {
                        // mallopt returns 1 for an accepted setting.
                        bool mmapSet = mallopt(MMmapThreshold, MmapThresholdBytes) == 1;
                        bool trimSet = mallopt(MTrimThreshold, TrimThresholdBytes) == 1;
                        bool mappedBlocksOff = mallopt(MMmapMax, 0) == 1;
                        IsTuned = mmapSet && trimSet && mappedBlocksOff;
                        Status = IsTuned
                            ? $"glibc mmap threshold {MmapThresholdBytes / (1024 * 1024)} MiB, trim threshold {TrimThresholdBytes / (1024 * 1024)} MiB, mapped blocks off"
                            : "glibc did not accept the thresholds";
                    }
                }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
                {
                    Status = "no glibc in this process";
                }
            }
            else
            {
                Status = skip;
            }
            decided = true;
            return IsTuned;
        }
    }

    /// <summary>
    /// Turns glibc's mapping of single large blocks back on (glibc's default count) or off again, in a tuned process;
    /// the benchmark measures the lever with it in alternating rounds. No effect where the tuning was not applied.
    /// </summary>
    internal static void MapLargeBlocks(bool mapped)
    {
        if (IsTuned) mallopt(MMmapMax, mapped ? GlibcDefaultMmapMax : 0);
    }

    /// <summary>The reason not to tune, or null to tune; separate from the process state so that it can be tested.</summary>
    internal static string? ReasonToSkip(Func<string, string?> environment, bool keepDefaultsSwitch, bool isLinux)
    {
        if (!isLinux) return "not Linux";
        if (OffSwitch.Reason(KeepDefaultsSwitch, keepDefaultsSwitch, KeepDefaultsVariable, environment) is string off) return off;
        foreach (var name in new[] { "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_MAX_" })
            if (!string.IsNullOrEmpty(environment(name))) return $"the process sets {name} itself";
        if (environment("GLIBC_TUNABLES") is string tunables && tunables.Contains("glibc.malloc.", StringComparison.Ordinal))
            return "the process sets malloc tunables in GLIBC_TUNABLES itself";
        return null;
    }

    /// <summary>
    /// Gives the C allocator's free memory back to the operating system (glibc's <c>malloc_trim</c>), whether or not the
    /// tuning was applied. Returns whether any memory was released; false where the C library is not glibc.
    /// </summary>
    public static bool Trim()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || !IsGlibc()) return false;
        return malloc_trim(0) == 1;
    }

    /// <summary>
    /// Bytes the C allocator holds freed, in all its arenas (glibc's <c>mallinfo2().fordblks</c>; after <see cref="Trim"/>
    /// most of them are no longer resident, though still counted here), or null where that
    /// cannot be read (not glibc, or glibc older than 2.33).
    /// </summary>
    public static long? FreeHeapBytes
    {
        get
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || !IsGlibc()) return null;
            try { return checked((long)mallinfo2().fordblks); }
            catch (EntryPointNotFoundException) { return null; }
        }
    }

    /// <summary>glibc alone exports gnu_get_libc_version (musl does not).</summary>
    private static bool IsGlibc()
    {
        try { return gnu_get_libc_version() != IntPtr.Zero; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);

    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);

    [DllImport("libc.so.6", EntryPoint = "mallinfo2")]
    private static extern MallInfo2 mallinfo2();

    /// <summary>glibc's <c>struct mallinfo2</c>: ten size_t counters.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
#pragma warning disable CS0649 // filled in by the marshaller
        public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
#pragma warning restore CS0649
    }

    [DllImport("libc.so.6", EntryPoint = "gnu_get_libc_version")]
    private static extern IntPtr gnu_get_libc_version();
}
