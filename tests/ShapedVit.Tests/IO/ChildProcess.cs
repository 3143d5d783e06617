using System.Diagnostics;
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

    /// <summary>
    /// Runs this test assembly in a child process with <paramref name="arguments"/> (one of <see cref="Main"/>'s modes),
    /// under <c>prlimit --data=</c><paramref name="dataCap"/> where given, with <paramref name="environment"/> set (a
    /// null value removes the variable); returns its exit code and what it wrote.
    /// </summary>
    public static (int Code, string Output, string Error) Run(IEnumerable<string> arguments, long? dataCap = null,
                                                             IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(dataCap is null ? "dotnet" : "prlimit") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (dataCap is not null) { start.ArgumentList.Add($"--data={dataCap}"); start.ArgumentList.Add("dotnet"); }
        start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            if (value is null) start.Environment.Remove(name); else start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

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
