using System.Runtime.Intrinsics;

namespace ShapedVit.Quantization;

/// <summary>
/// What follows fbgemm's int8 product in place, in one pass over the output [rows, out]: the per-output-channel weight
/// scale, the bias, then the exact (erf) GELU where asked, <c>y = GELU(y * scale[n] + bias[n])</c>. erf is Abramowitz
/// and Stegun's 7.1.26 (absolute error at most 1.5e-7, the form oneDNN's GELU post-op uses), vectorised with AVX-512
/// where the CPU has it, and split across threads for large outputs where asked (<see cref="ActivationQuantizer.Threaded"/>).
/// </summary>
internal static class Int8Epilogue
{
    private const long ParallelElements = 1L << 16; // below this a second thread costs more than it saves
    private const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;
    private const float InverseSqrt2 = 0.70710678118654752f;

    /// <summary>Applies the epilogue to <paramref name="rows"/> rows of <paramref name="columns"/> floats at <paramref name="output"/>, in place.</summary>
    internal static unsafe void Apply(float* output, long rows, int columns, float* scales, float* bias, bool gelu, bool parallel = true) =>
        Apply(output, columns, output, rows, columns, scales, bias, gelu, parallel);

    /// <summary>
    /// Applies the epilogue to <paramref name="rows"/> rows of <paramref name="columns"/> floats, row r read at
    /// <c>source + r * sourceStride</c> and written at <c>destination + r * columns</c> (the same memory where
    /// <paramref name="sourceStride"/> is <paramref name="columns"/> and the pointers are equal).
    /// </summary>
    internal static unsafe void Apply(float* source, long sourceStride, float* destination, long rows, int columns, float* scales, float* bias, bool gelu,
                                      bool parallel = true)
    {
        long count = rows * columns;
        int parts = parallel && count >= ParallelElements ? (int)Math.Min(Math.Clamp(Environment.ProcessorCount, 1, 8), rows) : 1;
        if (parts == 1)
        {
            for (long r = 0; r < rows; r++) Row(source + r * sourceStride, destination + r * columns, columns, scales, bias, gelu);
            return;
        }
        long chunk = (rows + parts - 1) / parts;
        IntPtr i = (IntPtr)source, o = (IntPtr)destination, s = (IntPtr)scales, b = (IntPtr)bias;
        Parallel.For(0, parts, part =>
        {
            long start = part * chunk, end = Math.Min(rows, start + chunk);
            for (long r = start; r < end; r++) Row((float*)i + r * sourceStride, (float*)o + r * columns, columns, (float*)s, (float*)b, gelu);
        });
    }

    private static unsafe void Row(float* x, float* y, int columns, float* scales, float* bias, bool gelu)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= columns; i += 16)
            {
                var v = Vector512.Load(x + i) * Vector512.Load(scales + i);
                if (bias != null) v += Vector512.Load(bias + i);
                if (gelu) v = Gelu(v);
                v.Store(y + i);
            }
        }
        for (; i < columns; i++)
        {
            float v = x[i] * scales[i] + (bias != null ? bias[i] : 0f);
            y[i] = gelu ? Gelu(v) : v;
        }
    }

    /// <summary>The exact GELU, <c>0.5 x (1 + erf(x / sqrt 2))</c>, with erf as in the type's summary.</summary>
    internal static float Gelu(float x)
    {
        float z = MathF.Abs(x) * InverseSqrt2;
        float t = 1f / (1f + P * z);
        float poly = t * (A1 + t * (A2 + t * (A3 + t * (A4 + t * A5))));
        float erf = 1f - poly * MathF.Exp(-z * z);
        return 0.5f * x * (1f + (x < 0 ? -erf : erf));
    }

    private static Vector512<float> Gelu(Vector512<float> x)
    {
        var z = Vector512.Abs(x) * Vector512.Create(InverseSqrt2);
        var t = Vector512<float>.One / (Vector512<float>.One + Vector512.Create(P) * z);
        var poly = t * (Vector512.Create(A1) + t * (Vector512.Create(A2) + t * (Vector512.Create(A3) + t * (Vector512.Create(A4) + t * Vector512.Create(A5)))));
        var erf = Vector512<float>.One - poly * Vector512.Exp(-(z * z));
        erf = Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), -erf, erf);
        return Vector512.Create(0.5f) * x * (Vector512<float>.One + erf);
    }
}
