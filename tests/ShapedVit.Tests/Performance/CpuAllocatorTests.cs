using System.Runtime.InteropServices;
using ShapedVit.Layers;

namespace ShapedVit.Tests.Performance;

/// <summary>
/// The C allocator tuning that keeps a forward pass's activations mapped between calls: when it applies, its off
/// switches.
/// </summary>
public class CpuAllocatorTests
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Applies_on_linux_without_a_switch_or_the_process_own_malloc_settings()
    {
        Assert.Null(CpuAllocator.ReasonToSkip(Environment(), keepDefaultsSwitch: false, isLinux: true));
        Assert.Null(CpuAllocator.ReasonToSkip(Environment((CpuAllocator.KeepDefaultsVariable, "0"), ("GLIBC_TUNABLES", "glibc.pthread.rseq=0")), false, true));
    }

    [Theory]
    [InlineData(null, null, true, true, "switched off by ShapedVit.CpuAllocator.KeepDefaults")]
    [InlineData("SHAPEDVIT_KEEP_ALLOCATOR_DEFAULTS", "1", false, true, "switched off by SHAPEDVIT_KEEP_ALLOCATOR_DEFAULTS")]
    [InlineData("SHAPEDVIT_KEEP_ALLOCATOR_DEFAULTS", "true", false, true, "switched off by SHAPEDVIT_KEEP_ALLOCATOR_DEFAULTS")]
    [InlineData("MALLOC_MMAP_THRESHOLD_", "1048576", false, true, "the process sets MALLOC_MMAP_THRESHOLD_ itself")]
    [InlineData("MALLOC_TRIM_THRESHOLD_", "0", false, true, "the process sets MALLOC_TRIM_THRESHOLD_ itself")]
    [InlineData("MALLOC_MMAP_MAX_", "65536", false, true, "the process sets MALLOC_MMAP_MAX_ itself")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=4096", false, true, "the process sets malloc tunables in GLIBC_TUNABLES itself")]
    [InlineData(null, null, false, false, "not Linux")]
    public void Is_skipped_with_a_reason(string? variable, string? value, bool switchOff, bool isLinux, string reason)
    {
        var environment = variable is null ? Environment() : Environment((variable, value!));
        Assert.Equal(reason, CpuAllocator.ReasonToSkip(environment, switchOff, isLinux));
    }

    /// <summary>
    /// The first inference forward applies the tuning (building a model does not), and glibc accepted both thresholds.
    /// Its effect (page faults per forward) is measured by the benchmark (`ort` section), not asserted here: in the test
    /// host's many threads and malloc arenas a forward-like allocation loop re-faults too irregularly to tell apart
    /// reliably.
    /// </summary>
    [Fact]
    public void An_inference_forward_applies_it_where_glibc_is_the_c_library()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return;
        Assert.Null(CpuAllocator.ReasonToSkip(System.Environment.GetEnvironmentVariable, false, true));
        using (var block = new EncoderBlock(8, 2, 16))
        using (var noGrad = TorchSharp.torch.no_grad())
        using (var tokens = TorchSharp.torch.randn(1, 3, 8))
            block.call(tokens).Dispose();
        Assert.True(CpuAllocator.IsTuned, CpuAllocator.Status);
        Assert.Equal("glibc mmap threshold 32 MiB, trim threshold 1024 MiB, mapped blocks off", CpuAllocator.Status);
    }

    /// <summary>
    /// What the allocator keeps after work ends is visible (<see cref="CpuAllocator.FreeHeapBytes"/>) and can be given
    /// back (<see cref="CpuAllocator.Trim"/>): with the tuning applied, other code mallocs 256 MiB in 1 MiB blocks and frees all but the last
    /// (which keeps glibc from shrinking the heap by itself), the allocator reports the freed memory, and after Trim the
    /// process's resident memory has fallen by at least half of it.
    /// </summary>
    [Fact]
    public unsafe void Memory_freed_after_work_is_reported_and_given_back_by_Trim()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || CpuAllocator.FreeHeapBytes is null) return;
        CpuAllocator.EnsureTuned(); // with glibc's defaults blocks this size are mapped and unmapped one by one
        if (!CpuAllocator.IsTuned) return;
        const int Block = 1 << 20, Blocks = 256;
        var blocks = new IntPtr[Blocks];
        for (int i = 0; i < Blocks; i++)
        {
            blocks[i] = (IntPtr)NativeMemory.Alloc(Block);
            new Span<byte>((void*)blocks[i], Block).Fill(1); // resident, as activations are
        }
        for (int i = 0; i < Blocks - 1; i++) NativeMemory.Free((void*)blocks[i]);
        try
        {
            long held = CpuAllocator.FreeHeapBytes!.Value, residentBefore = ResidentBytes();
            Assert.True(held >= (Blocks - 1) * (long)Block * 3 / 4, $"the allocator reports {held >> 20} MiB free");
            Assert.True(CpuAllocator.Trim());
            long released = residentBefore - ResidentBytes();
            Assert.True(released >= Blocks * (long)Block / 2, $"resident memory fell by {released >> 20} MiB after Trim");
        }
        finally
        {
            NativeMemory.Free((void*)blocks[^1]);
        }
    }

    private static long ResidentBytes() =>
        long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) * System.Environment.SystemPageSize;
}
