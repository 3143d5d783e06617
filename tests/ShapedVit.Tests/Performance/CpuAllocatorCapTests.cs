using System.Runtime.InteropServices;
using ShapedVit.Layers;

namespace ShapedVit.Tests.Performance;

/// <summary>
/// What the allocator tuning keeps is bounded by <see cref="CpuAllocator.TrimThresholdBytes"/>, under a memory cap: in a
/// child process, after a tuned inference forward, other code mallocs 1.5 GiB in 1 MiB blocks and frees them, then
/// allocates 1 GiB that the C heap cannot reuse (a managed array). The heap may keep at most the trim threshold (1 GiB)
/// of the freed 1.5 GiB, so the process stays within a cap of what the untuned process needs plus that bound; keeping
/// all it freed (no bound) would break the cap.
/// </summary>
public class CpuAllocatorCapTests
{
    private const int Block = 1 << 20, Blocks = 1536;
    private const long Managed = 1L << 30;

    /// <summary>
    /// The child's work: an inference forward (which tunes unless switched off), malloc and touch 1.5 GiB in 1 MiB
    /// blocks, free them newest first, then allocate and touch 1 GiB of managed memory; prints the C allocator's free
    /// bytes after the frees and the process's VmData (private writable memory, what RLIMIT_DATA caps) at the end.
    /// </summary>
    /// <param name="tuned">Whether the forward is expected to tune the allocator.</param>
    /// <param name="unbounded">The planted fault, for checking the test by hand (<c>dotnet ShapedVit.Tests.dll
    /// tuned-malloc-then-managed unbounded</c>): the trim threshold raised to 2 GiB, so the heap keeps all it frees.</param>
    public static unsafe int Child(bool tuned, bool unbounded = false)
    {
        using (var block = new EncoderBlock(8, 2, 16))
        using (var noGrad = TorchSharp.torch.no_grad())
        using (var tokens = TorchSharp.torch.randn(1, 3, 8))
            block.call(tokens).Dispose();
        if (CpuAllocator.IsTuned != tuned) { Console.Error.WriteLine($"expected tuned={tuned}: {CpuAllocator.Status}"); return 3; }
        if (unbounded) mallopt(-1, int.MaxValue); // M_TRIM_THRESHOLD
        var blocks = new IntPtr[Blocks];
        for (int i = 0; i < Blocks; i++)
        {
            blocks[i] = (IntPtr)NativeMemory.Alloc(Block);
            new Span<byte>((void*)blocks[i], Block).Fill(1);
        }
        for (int i = Blocks - 1; i >= 0; i--) NativeMemory.Free((void*)blocks[i]);
        long held = CpuAllocator.FreeHeapBytes ?? -1;
        var managed = GC.AllocateUninitializedArray<byte>((int)(Managed - 64));
        managed.AsSpan().Fill(2);
        long dataKiB = long.Parse(File.ReadLines("/proc/self/status").Single(l => l.StartsWith("VmData:", StringComparison.Ordinal))
                                      .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"{held >> 20} MiB free in the C allocator after the frees; VmData {dataKiB} kB");
        GC.KeepAlive(managed);
        return 0;
    }

    [DllImport("libc.so.6")]
    private static extern int mallopt(int parameter, int value);

    private static (int Code, string Output, string Error) RunChild(bool tuned, long? cap) =>
        IO.ChildProcess.Run([IO.ChildProcess.TunedMallocThenManaged, tuned ? "tuned" : "defaults"], cap,
                            tuned ? null : new Dictionary<string, string?> { [CpuAllocator.KeepDefaultsVariable] = "1" });

    /// <summary>
    /// The cap: the VmData glibc's defaults end with (they give the freed 1.5 GiB back), plus the documented bound
    /// (<see cref="CpuAllocator.TrimThresholdBytes"/>), plus 128 MiB. The tuned heap keeps at most the bound, so the tuned
    /// child fits; a heap that kept all 1.5 GiB would not.
    /// </summary>
    [Fact]
    public void After_tuned_inference_the_heap_keeps_at_most_the_trim_threshold_under_a_memory_cap()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || !File.Exists("/usr/bin/prlimit") || CpuAllocator.FreeHeapBytes is null) return;
        var defaults = RunChild(tuned: false, cap: null);
        Assert.True(defaults.Code == 0, $"glibc's defaults: exit {defaults.Code}: {defaults.Error}");
        long defaultsData = long.Parse(defaults.Output.Split("VmData ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) << 10;
        long cap = defaultsData + CpuAllocator.TrimThresholdBytes + (128L << 20);
        var (code, output, error) = RunChild(tuned: true, cap);
        Assert.True(code == 0, $"tuned: exit {code} under {cap >> 20} MiB (glibc's defaults end at {defaultsData >> 20} MiB: {defaults.Output.Trim()}): {error}{output}");
        Assert.Contains(" MiB free in the C allocator after the frees; VmData ", output);
    }
}
