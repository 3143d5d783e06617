using System.Runtime.Intrinsics;

namespace ShapedVit.Quantization;

/// <summary>
/// Dynamic per-tensor quantization of float32 activations to uint8, exactly as ONNX's <c>DynamicQuantizeLinear</c>
/// defines it (and ONNX Runtime's <c>DynamicQuantizeMatMul</c> applies it): the range is widened to include 0,
/// <c>scale = (max - min) / 255</c>, <c>zero_point = round(saturate(0 - min / scale))</c>, and
/// <c>q = saturate(round(x / scale) + zero_point)</c>, rounding half to even. Two passes over the input (range, then
/// quantize), vectorised with AVX-512 or AVX2 where the CPU has them; the int8 path runs them on the calling thread
/// (<see cref="Threaded"/>), and other callers may split large inputs across threads.
/// </summary>
internal static class ActivationQuantizer
{
    private const long ParallelElements = 1L << 17; // below this a second thread costs more than it saves

    /// <summary>
    /// Whether the int8 path's calls split large inputs across .NET's thread pool (false: the calling thread does it all).
    /// Between libtorch's OpenMP products, whose threads spin after each call, a second .NET thread waited for a core and
    /// the split cost more than it saved (docs/benchmarks.md, run O); the benchmark switches it on to compare.
    /// </summary>
    internal static bool Threaded { get; set; }

    /// <summary>The scale and zero point of <paramref name="count"/> floats at <paramref name="data"/>.</summary>
    internal static unsafe (float Scale, byte ZeroPoint) Parameters(float* data, long count, bool parallel = true)
    {
        var (min, max) = Range(data, count, parallel);
        return Parameters(min, max);
    }

    /// <summary>DynamicQuantizeLinear's scale and zero point for the range [<paramref name="min"/>, <paramref name="max"/>].</summary>
    internal static (float Scale, byte ZeroPoint) Parameters(float min, float max)
    {
        min = MathF.Min(min, 0f);
        max = MathF.Max(max, 0f);
        float scale = (max - min) / 255f;
        if (!(scale > 0f) || !float.IsFinite(scale)) return (1f, 0); // all zeros (or not finite: then anything is as wrong)
        float zero = MathF.Round(Math.Clamp(0f - min / scale, 0f, 255f), MidpointRounding.ToEven);
        return (scale, (byte)zero);
    }

    /// <summary>
    /// Quantizes <paramref name="count"/> floats at <paramref name="source"/> into <paramref name="destination"/>; returns
    /// the scale and zero point. <paramref name="parallel"/> false keeps it on the calling thread at any size.
    /// </summary>
    internal static unsafe (float Scale, byte ZeroPoint) Quantize(float* source, byte* destination, long count, bool parallel = true)
    {
        var (scale, zero) = Parameters(source, count, parallel);
        int parts = parallel ? Parts(count) : 1;
        if (parts == 1) QuantizeRange(source, destination, count, scale, zero);
        else
        {
            long chunk = (count / parts + 63) & ~63L;
            IntPtr s = (IntPtr)source, d = (IntPtr)destination;
            Parallel.For(0, parts, part =>
            {
                long start = part * chunk, n = Math.Min(chunk, count - start);
                if (n > 0) QuantizeRange((float*)s + start, (byte*)d + start, n, scale, zero);
            });
        }
        return (scale, zero);
    }

    private static int Parts(long count) => count >= ParallelElements ? Math.Clamp(Environment.ProcessorCount, 1, 8) : 1;

    private static unsafe (float Min, float Max) Range(float* data, long count, bool parallel)
    {
        int parts = parallel ? Parts(count) : 1;
        if (parts == 1) return RangeOf(data, count);
        long chunk = (count / parts + 63) & ~63L;
        var mins = new float[parts];
        var maxs = new float[parts];
        IntPtr d = (IntPtr)data;
        Parallel.For(0, parts, part =>
        {
            long start = part * chunk, n = Math.Min(chunk, count - start);
            (mins[part], maxs[part]) = n > 0 ? RangeOf((float*)d + start, n) : (float.PositiveInfinity, float.NegativeInfinity);
        });
        return (mins.Min(), maxs.Max());
    }

    private static unsafe (float Min, float Max) RangeOf(float* data, long count)
    {
        long i = 0;
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        if (Vector512.IsHardwareAccelerated && count >= 16)
        {
            var vmin = Vector512.Create(float.PositiveInfinity);
            var vmax = Vector512.Create(float.NegativeInfinity);
            for (; i + 16 <= count; i += 16)
            {
                var v = Vector512.Load(data + i);
                vmin = Vector512.Min(vmin, v);
                vmax = Vector512.Max(vmax, v);
            }
            for (int lane = 0; lane < 16; lane++)
            {
                min = MathF.Min(min, vmin[lane]);
                max = MathF.Max(max, vmax[lane]);
            }
        }
        else if (Vector256.IsHardwareAccelerated && count >= 8)
        {
            var vmin = Vector256.Create(float.PositiveInfinity);
            var vmax = Vector256.Create(float.NegativeInfinity);
            for (; i + 8 <= count; i += 8)
            {
                var v = Vector256.Load(data + i);
                vmin = Vector256.Min(vmin, v);
                vmax = Vector256.Max(vmax, v);
            }
            for (int lane = 0; lane < 8; lane++)
            {
                min = MathF.Min(min, vmin[lane]);
                max = MathF.Max(max, vmax[lane]);
            }
        }
        for (; i < count; i++)
        {
            min = MathF.Min(min, data[i]);
            max = MathF.Max(max, data[i]);
        }
        return (min, max);
    }

    private static unsafe void QuantizeRange(float* source, byte* destination, long count, float scale, byte zeroPoint)
    {
        long i = 0;
        if (Vector512.IsHardwareAccelerated && count >= 64)
        {
            var s = Vector512.Create(scale);
            var z = Vector512.Create((float)zeroPoint);
            var lo = Vector512<float>.Zero;
            var hi = Vector512.Create(255f);
            for (; i + 64 <= count; i += 64)
            {
                var a = Vector512.ConvertToInt32(Vector512.Min(Vector512.Max(Vector512.Round(Vector512.Load(source + i) / s) + z, lo), hi));
                var b = Vector512.ConvertToInt32(Vector512.Min(Vector512.Max(Vector512.Round(Vector512.Load(source + i + 16) / s) + z, lo), hi));
                var c = Vector512.ConvertToInt32(Vector512.Min(Vector512.Max(Vector512.Round(Vector512.Load(source + i + 32) / s) + z, lo), hi));
                var d = Vector512.ConvertToInt32(Vector512.Min(Vector512.Max(Vector512.Round(Vector512.Load(source + i + 48) / s) + z, lo), hi));
                var ab = Vector512.Narrow(a.AsUInt32(), b.AsUInt32());
                var cd = Vector512.Narrow(c.AsUInt32(), d.AsUInt32());
                Vector512.Narrow(ab, cd).Store(destination + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated && count >= 32)
        {
            var s = Vector256.Create(scale);
            var z = Vector256.Create((float)zeroPoint);
            var lo = Vector256<float>.Zero;
            var hi = Vector256.Create(255f);
            for (; i + 32 <= count; i += 32)
            {
                var a = Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(Vector256.Round(Vector256.Load(source + i) / s) + z, lo), hi));
                var b = Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(Vector256.Round(Vector256.Load(source + i + 8) / s) + z, lo), hi));
                var c = Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(Vector256.Round(Vector256.Load(source + i + 16) / s) + z, lo), hi));
                var d = Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(Vector256.Round(Vector256.Load(source + i + 24) / s) + z, lo), hi));
                var ab = Vector256.Narrow(a.AsUInt32(), b.AsUInt32());
                var cd = Vector256.Narrow(c.AsUInt32(), d.AsUInt32());
                Vector256.Narrow(ab, cd).Store(destination + i);
            }
        }
        for (; i < count; i++)
            destination[i] = (byte)Math.Clamp(MathF.Round(source[i] / scale, MidpointRounding.ToEven) + zeroPoint, 0f, 255f);
    }
}
