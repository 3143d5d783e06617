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
        return 2;
    }
}
