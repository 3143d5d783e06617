using ShapedVit.IO;

namespace ShapedVit.Tests.IO;

/// <summary>
/// The test assembly's entry point (instead of the test SDK's empty one), so a test can run library code in a real child
/// process and kill it: <c>dotnet ShapedVit.Tests.dll atomic-write-and-hang PATH</c> starts an atomic write of PATH, says
/// "writing" once its temporary file holds data, and never finishes.
/// </summary>
public static class ChildProcess
{
    public const string AtomicWriteAndHang = "atomic-write-and-hang";

    /// <summary>See <see cref="Performance.CpuAllocatorCapTests"/>.</summary>
    public const string TunedMallocThenManaged = "tuned-malloc-then-managed";

    /// <summary>See <see cref="Performance.CpuAllocatorLargeBlockTests"/>.</summary>
    public const string LargeBlockReuse = "large-block-reuse";

    public static int Main(string[] args)
    {
        if (args is [AtomicWriteAndHang, string path])
        {
            AtomicFile.Write(path, stream =>
            {
                stream.Write(new byte[1 << 16]);
                stream.Flush();
                Console.Out.WriteLine("writing");
                Console.Out.Flush();
                Thread.Sleep(Timeout.Infinite);
            });
        }
        if (args is [TunedMallocThenManaged, string tune]) return Performance.CpuAllocatorCapTests.Child(tune != "defaults", tune == "unbounded");
        if (args is [LargeBlockReuse, string blocks]) return Performance.CpuAllocatorLargeBlockTests.Child(mapped: blocks == "mapped");
        return 2;
    }
}
