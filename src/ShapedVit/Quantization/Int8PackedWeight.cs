using ShapedVit.Quantization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit;

/// <summary>
/// One Linear's weight quantized for <see cref="Inference.Int8Inference"/>: int8 per output channel (symmetric, zero
/// point 0, <c>scale[n] = max |W[n, :]| / levels</c>), in the layout of the int8 product chosen for the CPU
/// (<see cref="SelectKernel"/>): fbgemm's or oneDNN's u8 x s8 kernels. Each call quantizes its input to uint8 with one
/// scale and zero point for the whole call (<see cref="ActivationQuantizer"/>, the same codes on both kernels), the
/// product accumulates in int32 and is written in float32 with the weight scales and the bias applied. Checked before
/// each use as every <see cref="PackedWeight"/> is, and quantized again when the float32 weight changed.
/// </summary>
internal sealed class Int8PackedWeight : PackedWeight
{
    private readonly NativeOneDnn onednn;
    private readonly Tensor quantizedWeight; // int8 [out, in], kept only while the oneDNN copy is not yet made
    private NativeOneDnn.OwnedTensor? packed;
    private readonly NativeOneDnn.OwnedTensor scales, zeroPoints;
    private readonly NativeFbgemm.PackedMatrix? fbgemmPacked;
    private readonly NativeFbgemm? fbgemm;
    private readonly Tensor? weightScales, fbgemmColumnOffsets, fbgemmZeroBias, fbgemmWeightShape;
    private readonly int fbgemmColumns;
    private readonly object packLock = new();
    private readonly long bytes;
    private int disposed;

    private Int8PackedWeight(NativeGemm gemm, NativeOneDnn onednn, NativeFbgemm? fbgemm, Parameter weight, int levels) : base(gemm, weight)
    {
        Levels = levels;
        this.onednn = onednn;
        using var scope = NewDisposeScope(); // the temporaries below are freed here; what the copy keeps is detached from every scope
        using var noGrad = torch.no_grad();
        var (quantized, weightScalesNow) = QuantizeWeight(weight, levels);
        scales = onednn.Own(weightScalesNow);
        zeroPoints = onednn.Own(torch.zeros(outFeatures, ScalarType.Int64));
        if (fbgemm is not null)
        {
            // fbgemm's product; oneDNN's copy is made only if a call ever needs it (see ForwardFbgemm).
            this.fbgemm = fbgemm;
            fbgemmColumns = FbgemmColumns(outFeatures);
            var padded = fbgemmColumns == outFeatures ? quantized : torch.cat(new[] { quantized, torch.zeros(new long[] { fbgemmColumns - outFeatures, inFeatures }, ScalarType.Int8) }, 0);
            fbgemmPacked = fbgemm.Pack(padded);
            fbgemmColumnOffsets = NativeFbgemm.ColumnOffsets(padded).DetachFromDisposeScope();
            fbgemmZeroBias = torch.zeros(fbgemmColumns).DetachFromDisposeScope();
            // fbgemm reads the int8 weight's shape only; a broadcast view of one byte stands in for it.
            fbgemmWeightShape = torch.zeros(new long[] { 1, 1 }, ScalarType.Int8).expand(fbgemmColumns, inFeatures).DetachFromDisposeScope();
            weightScales = weightScalesNow.contiguous().DetachFromDisposeScope();
            quantizedWeight = quantized.DetachFromDisposeScope();
        }
        else
        {
            packed = onednn.QLinearPrepack(quantized);
            quantizedWeight = torch.empty(0, ScalarType.Int8).DetachFromDisposeScope();
        }
        bytes = (long)outFeatures * inFeatures * (fbgemm is null ? 1 : 2);
        GC.AddMemoryPressure(bytes);
    }

    /// <summary>The largest quantized weight magnitude (127, or 63 on CPUs without VNNI, see <see cref="LevelsFor"/>).</summary>
    internal int Levels { get; }

    /// <summary>Which int8 product this copy multiplies with.</summary>
    internal Int8Kernel Kernel => fbgemm is null ? Int8Kernel.OneDnn : Int8Kernel.Fbgemm;

    /// <summary>
    /// 127 where the CPU multiplies 8-bit values without intermediate saturation (AVX512-VNNI, AVX-VNNI, AMX); 63
    /// elsewhere, where the u8 x s8 pair sums of AVX2 and AVX-512 without VNNI saturate at 16 bits (255 * 127 * 2
    /// overflows, 255 * 63 * 2 does not). Chosen by instruction set.
    /// </summary>
    internal static int LevelsFor(CpuCapabilities cpu) => cpu.Vnni ? 127 : 63;

    /// <summary>
    /// The int8 product for <paramref name="cpu"/>: oneDNN's u8 x s8 inner product on every CPU kind. fbgemm's int8 linear
    /// (<see cref="NativeFbgemm"/>) multiplies the same codes to float32 rounding and is kept for the benchmark and the
    /// tests (<see cref="CpuInference.ForcedInt8Kernel"/>), but on the one CPU where it could be measured, the AMD EPYC
    /// (Zen 5: AVX-512, VNNI, no AMX), oneDNN's product was as fast or faster at most ViT-B/16 shapes (1,100-1,550
    /// GOP/s) and fbgemm's, with the snap and the epilogue it needs, slower at 197 rows (docs/benchmarks.md, run O). With
    /// AMX oneDNN uses the tiles, which fbgemm does not.
    /// </summary>
    internal static Int8Kernel SelectKernel(CpuCapabilities cpu, bool fbgemmAvailable) => Int8Kernel.OneDnn;

    /// <summary>
    /// The output width fbgemm's product is made with: <paramref name="outFeatures"/>, or 16 more where a row of the
    /// float32 output would be a multiple of 2 KiB (fc1's 3,072 columns: 12 KiB), a stride at which the kernel's stores
    /// to successive rows fall into the same cache sets (fbgemm's fc1 ran several times slower than the other GEMMs,
    /// docs/benchmarks.md, run O). The padding rows of the weight are zero and the epilogue drops their outputs.
    /// </summary>
    internal static int FbgemmColumns(int outFeatures) => outFeatures * sizeof(float) % 2048 == 0 ? outFeatures + 16 : outFeatures;

    /// <summary>int8 [out, in] and float32 per-output-channel scales of <paramref name="weight"/> (round half to even).</summary>
    internal static (Tensor Quantized, Tensor Scales) QuantizeWeight(Tensor weight, int levels)
    {
        // The temporaries live in a dispose scope, so the collector cannot finalise one while a native call reads it.
        using var scope = NewDisposeScope();
        var detached = weight.detach();
        using Scalar zero = 0, top = levels, bottom = -levels; // held: a temporary Scalar may be finalised mid-call
        var maxAbs = detached.abs().amax(new long[] { 1 });
        var weightScales = torch.where(maxAbs.gt(zero), maxAbs.div(top), torch.ones_like(maxAbs)).to(ScalarType.Float32);
        var quantized = detached.div(weightScales.unsqueeze(1)).round().clamp(bottom, top).to(ScalarType.Int8);
        return (quantized.MoveToOuterDisposeScope(), weightScales.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// <c>linear(input)</c> in int8 through the copy in <paramref name="slot"/> (made again first when missing or stale),
    /// then GELU where <paramref name="gelu"/>, or null where the call is not eligible or the copy was freed meanwhile by
    /// another thread. <paramref name="fbgemm"/> non-null multiplies with fbgemm's kernels (see <see cref="SelectKernel"/>).
    /// </summary>
    internal static unsafe Tensor? Forward(NativeGemm gemm, NativeOneDnn onednn, Parameter weight, Parameter? bias, ref PackedWeight? slot, Tensor input, CpuCapabilities cpu,
                                           bool gelu = false, NativeFbgemm? fbgemm = null)
    {
        if (!Eligible(gemm, weight, bias, input, out int rows)) return null;
        int levels = LevelsFor(cpu);
        // fbgemm has no GELU of its own: a GELU after it is a pass more, and oneDNN's product with its GELU post-op ran
        // faster (docs/benchmarks.md, run O), so fc1 stays on oneDNN.
        var kernel = fbgemm is null || gelu ? Int8Kernel.OneDnn : Int8Kernel.Fbgemm;
        if (kernel == Int8Kernel.OneDnn) fbgemm = null;
        var copy = Current(gemm, weight, ref slot, c => c.Levels == levels && c.Kernel == kernel, () => new Int8PackedWeight(gemm, onednn, fbgemm, weight, levels));
        if (copy.scales.IsClosed) return null;

        using var scope = NewDisposeScope();
        var contiguous = input.is_contiguous() ? input : input.contiguous();
        try
        {
            if (copy.fbgemm is not null && copy.ForwardFbgemm(gemm, contiguous, rows, bias, gelu) is { } product) return product.MoveToOuterDisposeScope();
            var packedNow = copy.OneDnnPacked();
            var quantizedInput = torch.empty(contiguous.shape, ScalarType.Byte);
            var (scale, zeroPoint) = ActivationQuantizer.Quantize((float*)gemm.Data(contiguous), (byte*)gemm.DataOfBytes(quantizedInput), contiguous.numel(),
                                                                  ActivationQuantizer.Threaded);
            GC.KeepAlive(contiguous);
            var scaleTensor = torch.tensor(scale);
            var zeroPointTensor = torch.tensor((int)zeroPoint);
            return onednn.QLinear(quantizedInput, scaleTensor, zeroPointTensor, packedNow, copy.scales, copy.zeroPoints, bias, gelu).MoveToOuterDisposeScope();
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>
    /// fbgemm's product on the input snapped to its uint8 codes' values (<see cref="ActivationQuantizer.Snap"/>), so
    /// that fbgemm's own quantization of it gives the codes <see cref="ActivationQuantizer.Quantize"/> gives; then the
    /// weight scales, the bias and the GELU in one pass (<see cref="Int8Epilogue"/>). Null where the input's range ends
    /// on a rounding tie (the caller then takes oneDNN's product).
    /// </summary>
    private unsafe Tensor? ForwardFbgemm(NativeGemm gemm, Tensor contiguous, int rows, Parameter? bias, bool gelu)
    {
        var snapped = torch.empty(new long[] { rows, inFeatures }, ScalarType.Float32);
        if (ActivationQuantizer.Snap((float*)gemm.Data(contiguous), (float*)gemm.Data(snapped), contiguous.numel(), ActivationQuantizer.Threaded) is null) return null;
        GC.KeepAlive(contiguous);
        bool added = false;
        try
        {
            fbgemmPacked!.DangerousAddRef(ref added);
            var product = fbgemm!.Linear(snapped, fbgemmWeightShape!, fbgemmPacked, fbgemmColumnOffsets!, fbgemmZeroBias!);
            var output = fbgemmColumns == outFeatures ? product : torch.empty(new long[] { rows, outFeatures }, ScalarType.Float32);
            var biasValues = bias is null ? null : bias.is_contiguous() ? (Tensor)bias : bias.contiguous();
            Int8Epilogue.Apply((float*)gemm.Data(product), fbgemmColumns, (float*)gemm.Data(output), rows, outFeatures, (float*)gemm.Data(weightScales!),
                               biasValues is null ? null : (float*)gemm.Data(biasValues), gelu, ActivationQuantizer.Threaded);
            GC.KeepAlive(biasValues);
            GC.KeepAlive(product);
            GC.KeepAlive(output);
            var shape = contiguous.shape;
            shape[^1] = outFeatures;
            return output.view(shape);
        }
        finally
        {
            if (added) fbgemmPacked!.DangerousRelease();
        }
    }

    /// <summary>oneDNN's copy of the int8 weight, made at the first call that needs it.</summary>
    private NativeOneDnn.OwnedTensor OneDnnPacked()
    {
        if (Volatile.Read(ref packed) is { } made) return made;
        lock (packLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
            if (packed is null)
            {
                packed = onednn.QLinearPrepack(quantizedWeight);
                GC.AddMemoryPressure((long)outFeatures * inFeatures);
            }
            return packed;
        }
    }

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        lock (packLock)
        {
            if (packed is not null) GC.RemoveMemoryPressure((long)outFeatures * inFeatures);
            packed?.Dispose();
        }
        fbgemmPacked?.Dispose();
        scales.Dispose();
        zeroPoints.Dispose();
        quantizedWeight.Dispose();
        weightScales?.Dispose();
        fbgemmColumnOffsets?.Dispose();
        fbgemmZeroBias?.Dispose();
        fbgemmWeightShape?.Dispose();
        GC.RemoveMemoryPressure(bytes);
    }
}

/// <summary>The int8 products <see cref="Int8PackedWeight"/> multiplies with.</summary>
internal enum Int8Kernel
{
    /// <summary>oneDNN's u8 x s8 inner product (libtorch's <c>qlinear_pointwise</c>), with its GELU post-op.</summary>
    OneDnn,

    /// <summary>fbgemm's int8 linear (<see cref="NativeFbgemm"/>), then <see cref="Quantization.Int8Epilogue"/>.</summary>
    Fbgemm,
}
