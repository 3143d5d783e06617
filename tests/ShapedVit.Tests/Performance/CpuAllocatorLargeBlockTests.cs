using System.Runtime.InteropServices;
using ShapedVit.Layers;

namespace ShapedVit.Tests.Performance;

/// <summary>
/// Blocks above glibc's largest mmap threshold (32 MiB; DINOv2's qkv output and MLP hidden activation at 518 px, batch 8)
/// are reused from the heap after the tuning, instead of being mapped and faulted in anew on every call. In a child
/// process (its main thread allocates from glibc's main arena, as a console application's forward does): a tuned
/// inference forward, then a 48 MiB block is allocated, touched and freed, and allocated and touched again; the second
/// touch must not fault its pages in again. The same child with glibc's mapping of large blocks turned back on (the
/// planted fault) faults in every page, so the check can fail.
/// </summary>
public class CpuAllocatorLargeBlockTests
{
    private const int BlockBytes = 48 << 20;

    /// <summary>The child's work; prints the minor page faults of the second touch.</summary>
    /// <param name="mapped">The planted fault: glibc maps large blocks one by one again after the tuning.</param>
    public static unsafe int Child(bool mapped)
    {
        using (var block = new EncoderBlock(8, 2, 16))
        using (var noGrad = TorchSharp.torch.no_grad())
        using (var tokens = TorchSharp.torch.randn(1, 3, 8))
            block.call(tokens).Dispose();
        if (!CpuAllocator.IsTuned) { Console.Error.WriteLine($"not tuned: {CpuAllocator.Status}"); return 3; }
        if (mapped) CpuAllocator.MapLargeBlocks(true);
        void* first = NativeMemory.Alloc(BlockBytes);
        new Span<byte>(first, BlockBytes).Fill(1);
        NativeMemory.Free(first);
        long before = MinorFaults();
        void* second = NativeMemory.Alloc(BlockBytes);
        new Span<byte>(second, BlockBytes).Fill(2);
        long faults = MinorFaults() - before;
        NativeMemory.Free(second);
        Console.WriteLine($"{faults} minor faults");
        return 0;
    }

    /// <summary>The process's minor page faults so far (field 10 of /proc/self/stat).</summary>
    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture); // fields after the name start at field 3
    }

    private static long RunChild(bool mapped)
    {
        var (code, output, error) = IO.ChildProcess.Run([IO.ChildProcess.LargeBlockReuse, mapped ? "mapped" : "heap"],
                                                        environment: new Dictionary<string, string?> { [CpuAllocator.KeepDefaultsVariable] = null });
        Assert.True(code == 0, $"child exit {code}: {error}");
        return long.Parse(output.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void A_block_above_the_largest_mmap_threshold_is_reused_without_faulting_its_pages_in_again()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || CpuAllocator.FreeHeapBytes is null) return;
        const long pages = BlockBytes / 4096;
        long heap = RunChild(mapped: false);
        Assert.True(heap < pages / 8, $"the reused 48 MiB block faulted {heap} of its {pages} pages in again");
        long planted = RunChild(mapped: true);
        Assert.True(planted > pages * 3 / 4, $"the oracle: with large blocks mapped the block faulted only {planted} of {pages} pages");
    }
}
