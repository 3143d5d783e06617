using ShapedVit.Testing;
using ShapedVit.Vision;
using SkiaSharp;

namespace ShapedVit.Vision.Tests;

/// <summary>Runs alone: the budget is process-wide, and other tests' decodes would share it.</summary>
[CollectionDefinition("decode budget", DisableParallelization = true)]
public sealed class DecodeBudgetCollection;

/// <summary>
/// The decode budget is one per process: parallel decodes of huge images share it, so memory is bounded by one budget,
/// not one per thread or decoder.
/// </summary>
[Collection("decode budget")]
public class DecodeBudgetTests
{
    private const int Side = 2000; // 4 megapixels each, from a PNG of a few kilobytes

    private static readonly Lazy<string> HugePng = new(() =>
    {
        string path = Path.Combine(Path.GetTempPath(), $"shapedvit-budget-{Environment.ProcessId}.png");
        File.WriteAllBytes(path, TestImages.Png(Side, Side, (x, y) => new SKColor((byte)x, (byte)y, 0)));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path); // shared by the tests of this class, removed at the end
        return path;
    });

    /// <summary>Four decodes on four threads, each holding its pixels until <paramref name="whileHeld"/> returns; the most held at once.</summary>
    private static long FourParallelDecodes(long budget, Action whileHeld)
    {
        long saved = ImageDecoder.ProcessPixelBudget;
        ImageDecoder.ProcessPixelBudget = budget;
        try
        {
            DecodeBudget.ResetPeak();
            var sizes = new int[4];
            string png = HugePng.Value;
            var errors = new Exception?[4];
            var threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
            {
                try { sizes[i] = ImageDecoder.DecodeThen(png, image => { whileHeld(); return image.Width * image.Height; }); }
                catch (Exception e) { errors[i] = e; } // handed to the test thread below
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.All(errors, Assert.Null);
            Assert.All(sizes, s => Assert.Equal(Side * Side, s));
            return DecodeBudget.Peak;
        }
        finally { ImageDecoder.ProcessPixelBudget = saved; }
    }

    [Fact]
    public void Four_parallel_decodes_of_huge_pngs_share_one_budget()
    {
        int holders = 0, mostHolders = 0;
        long peak = FourParallelDecodes(6_000_000, () =>
        {
            int now = Interlocked.Increment(ref holders);
            InterlockedMax(ref mostHolders, now);
            Thread.Sleep(50);
            Interlocked.Decrement(ref holders);
        });
        Assert.True(peak <= 6_000_000, $"{peak} pixels held at once");
        Assert.Equal(1, mostHolders); // two 4-megapixel images do not fit in 6 megapixels
    }

    [Fact]
    public void With_room_for_all_four_they_decode_at_once_which_the_peak_shows()
    {
        // The oracle's check: the peak counter sees concurrent decodes (what a per-decoder budget would allow at any size).
        using var together = new Barrier(4);
        long peak = FourParallelDecodes(100_000_000, () => Assert.True(together.SignalAndWait(TimeSpan.FromSeconds(60))));
        Assert.Equal(4L * Side * Side, peak);
    }

    [Fact]
    public void An_image_larger_than_the_budget_still_decodes_alone()
    {
        long peak = FourParallelDecodes(1_000_000, () => { });
        Assert.Equal((long)Side * Side, peak);
    }

    [Fact]
    public void The_budget_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageDecoder.ProcessPixelBudget = 0);

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
