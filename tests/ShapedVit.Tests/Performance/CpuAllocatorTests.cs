using System.Globalization;
using System.Runtime.InteropServices;
using ShapedVit.Layers;
using TorchSharp;

namespace ShapedVit.Tests.Performance;

/// <summary>
/// The C allocator tuning that keeps a forward pass's activations mapped between calls: when it applies, its off
/// switches, and its effect (page faults), measured on the allocation pattern that made glibc's defaults fault. Page
/// faults are counted for the whole process, so this class runs alone, after the parallel tests.
/// </summary>
[Collection(nameof(CpuAllocatorTests))]
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

    [Fact]
    public void Building_an_encoder_block_applies_it_and_freed_activations_are_reused_without_page_faults()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return;
        using (new EncoderBlock(8, 2, 16)) { }
        Assert.True(CpuAllocator.IsTuned, CpuAllocator.Status);

        // A forward pass's pattern: several activations of a few MiB alive at once, all freed, then the same again. With
        // glibc's defaults the freed top of the heap (64 MiB here) exceeds its trim threshold and goes back to the system,
        // so every iteration faults all 16,384 pages in again.
        const int Buffers = 4, Floats = 4 * 1024 * 1024, Iterations = 20;
        void Iteration()
        {
            var tensors = Enumerable.Range(0, Buffers).Select(_ => torch.ones(Floats)).ToList();
            foreach (var tensor in tensors) tensor.Dispose();
        }
        Iteration();
        long before = PageFaults();
        for (int i = 0; i < Iterations; i++) Iteration();
        long faults = PageFaults() - before;
        long pagesTouched = (long)Buffers * Floats * sizeof(float) / System.Environment.SystemPageSize * Iterations;
        // Measured here: about 7 % of the pages fault again when tuned (other threads of the process), about 29 % with glibc's
        // defaults (SHAPEDVIT_KEEP_ALLOCATOR_DEFAULTS=1 and the IsTuned assertion removed).
        Assert.True(faults < pagesTouched / 8, $"{faults} page faults for {pagesTouched} pages touched ({CpuAllocator.Status})");
    }

    private static long PageFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture) + long.Parse(fields[9], CultureInfo.InvariantCulture);
    }
}

/// <summary>Runs <see cref="CpuAllocatorTests"/> on its own: it counts the whole process's page faults.</summary>
[CollectionDefinition(nameof(CpuAllocatorTests), DisableParallelization = true)]
public sealed class CpuAllocatorTestsCollection { }
