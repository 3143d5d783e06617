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
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=4096", false, true, "the process sets malloc tunables in GLIBC_TUNABLES itself")]
    [InlineData(null, null, false, false, "not Linux")]
    public void Is_skipped_with_a_reason(string? variable, string? value, bool switchOff, bool isLinux, string reason)
    {
        var environment = variable is null ? Environment() : Environment((variable, value!));
        Assert.Equal(reason, CpuAllocator.ReasonToSkip(environment, switchOff, isLinux));
    }

    /// <summary>
    /// Building a block applies the tuning, and glibc accepted both thresholds. Its effect (page faults per forward) is
    /// measured by the benchmark (`ort` section), not asserted here: in the test host's many threads and malloc arenas a
    /// forward-like allocation loop re-faulted 5-14 % of its pages when tuned and 2.5-19 % with glibc's defaults, too
    /// close to tell apart reliably.
    /// </summary>
    [Fact]
    public void Building_an_encoder_block_applies_it_where_glibc_is_the_c_library()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return;
        Assert.Null(CpuAllocator.ReasonToSkip(System.Environment.GetEnvironmentVariable, false, true));
        using (new EncoderBlock(8, 2, 16)) { }
        Assert.True(CpuAllocator.IsTuned, CpuAllocator.Status);
        Assert.Equal("glibc mmap threshold 32 MiB, trim threshold 1024 MiB", CpuAllocator.Status);
    }
}
