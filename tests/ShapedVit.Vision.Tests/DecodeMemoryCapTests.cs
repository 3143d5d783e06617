using System.Diagnostics;
using ShapedVit.Testing;
using ShapedVit.Vision;

namespace ShapedVit.Vision.Tests;

/// <summary>
/// The decode budget bounds a process's memory, not only a counter: four threads decode four 9400 x 9400 PNGs (88
/// megapixels each, about 620 MB of decode buffers each, from files of a few megabytes) in a child process whose
/// private writable memory is capped (prlimit --data) below what two decodes at once would need. One budget per process passes; one per decoder would
/// decode all four at once and break the cap.
/// </summary>
[Collection("decode budget")]
public class DecodeMemoryCapTests
{
    private const int Side = 9400;

    /// <summary>
    /// RLIMIT_DATA for the child: one budget per process peaks at about 1,240 MiB of VmData, with a budget per decoder
    /// (the planted fault) about 2,520 MiB (measured).
    /// </summary>
    private const long Cap = 1600L << 20;

    [Fact]
    public async Task Four_parallel_decodes_of_9400_pixel_pngs_fit_in_one_budget_under_a_memory_cap()
    {
        if (!File.Exists("/usr/bin/prlimit")) return; // the cap needs util-linux's prlimit
        using var dir = new TempDirectory();
        var paths = Enumerable.Range(0, 4).Select(i =>
        {
            string path = dir.File($"huge{i}.png");
            File.WriteAllBytes(path, TestImages.LargePng(Side, Side, (byte)(i * 40)));
            return path;
        }).ToArray();

        var start = new ProcessStartInfo("prlimit") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[$"--data={Cap}", "dotnet", typeof(DecodeChild).Assembly.Location, DecodeChild.Command, .. paths])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        string said = await output, complaints = await error;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {complaints}");
        Assert.Equal($"decoded 4 images of {Side * Side} pixels, at most 1 at once\n", said);
        Assert.Equal("", complaints);
    }
}

/// <summary>
/// The test assembly's entry point (instead of the test SDK's empty one): <c>dotnet ShapedVit.Vision.Tests.dll
/// decode-in-parallel PNG...</c> decodes each file on its own thread, as ImageFolder's workers do (the pixels held while
/// a small result is made), and says how many decoded and how many were held at once; a refused file is one line.
/// </summary>
public static class DecodeChild
{
    public const string Command = "decode-in-parallel";

    public static int Main(string[] args)
    {
        if (args.Length < 2 || args[0] != Command)
        {
            Console.Error.WriteLine($"usage: dotnet ShapedVit.Vision.Tests.dll {Command} PNG... (the tests run this; run the tests with dotnet test)");
            return 2;
        }
        var paths = args[1..];
        var pixels = new long[paths.Length];
        var refused = new string?[paths.Length];
        DecodeBudget.ResetPeak();
        var threads = paths.Select((path, i) => new Thread(() =>
        {
            try
            {
                pixels[i] = ImageDecoder.DecodeThen(path, image =>
                {
                    Thread.Sleep(200); // the transform's time, while the pixels are held
                    return (long)image.Width * image.Height;
                });
            }
            catch (ImageDecodeException e) { refused[i] = e.Message; }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        foreach (string? message in refused.Where(m => m is not null)) Console.Error.WriteLine($"error: {message}");
        if (refused.Any(m => m is not null)) return 1;
        long each = pixels.Distinct().Single();
        Console.WriteLine($"decoded {paths.Length} images of {each} pixels, at most {DecodeBudget.Peak / each} at once");
        return 0;
    }
}
