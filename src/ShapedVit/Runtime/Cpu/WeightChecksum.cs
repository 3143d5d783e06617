using System.Numerics;

namespace ShapedVit;

/// <summary>
/// A 64-bit checksum of a weight's bits that notices writes libtorch's version counter does not see (TorchSharp's
/// <c>bytes</c> setter, spans from <c>data&lt;T&gt;()</c>, raw pointers). Two running sums per vector lane, the second
/// summing the first (Fletcher's scheme, modulo 2^64): any single changed word changes the first sum, and a moved or
/// swapped word changes the second. Memory-bound: one read of the weight.
/// </summary>
internal static class WeightChecksum
{
    private const long ParallelBytes = 2L << 20; // below this a second thread costs more than it saves

    /// <summary>The checksum of <paramref name="bytes"/> bytes at <paramref name="data"/> (a multiple of 4).</summary>
    internal static unsafe ulong Compute(IntPtr data, long bytes)
    {
        long words = bytes / sizeof(ulong);
        int parts = bytes >= ParallelBytes ? Math.Min(Environment.ProcessorCount, 4) : 1;
        ulong tail = 0;
        for (long b = words * sizeof(ulong); b < bytes; b++) tail = tail * 31 + ((byte*)data)[b] + 1;
        if (parts == 1) return Combine(Sums((ulong*)data, words, 0), 0) ^ tail;
        var partial = new ulong[parts];
        long chunk = (words + parts - 1) / parts;
        Parallel.For(0, parts, part =>
        {
            long start = part * chunk, count = Math.Min(chunk, words - start);
            partial[part] = count > 0 ? Combine(Sums((ulong*)data + start, count, start), part) : 0;
        });
        ulong result = tail;
        foreach (var value in partial) result = result * 0x9E3779B97F4A7C15UL + value;
        return result;
    }

    private static unsafe (ulong First, ulong Second) Sums(ulong* words, long count, long offset)
    {
        var first = Vector<ulong>.Zero;
        var second = Vector<ulong>.Zero;
        int width = Vector<ulong>.Count;
        long i = 0;
        for (; i + width <= count; i += width)
        {
            first += Vector.Load(words + i);
            second += first;
        }
        ulong f = 0, s = 0;
        for (int lane = 0; lane < width; lane++)
        {
            // Lanes are mixed with distinct odd multipliers, so a word moved from one lane to another changes the sum.
            f += first[lane] * (2UL * (ulong)lane + 1);
            s += second[lane] * (2UL * (ulong)lane + 3);
        }
        for (; i < count; i++)
        {
            f += words[i];
            s += f;
        }
        return (f, s + (ulong)offset);
    }

    private static ulong Combine((ulong First, ulong Second) sums, int part) =>
        (sums.First * 0xBF58476D1CE4E5B9UL) ^ (sums.Second * 0x94D049BB133111EBUL) ^ (ulong)part;
}
