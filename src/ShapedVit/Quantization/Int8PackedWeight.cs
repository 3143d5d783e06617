using ShapedVit.Quantization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit;

/// <summary>
/// One Linear's weight quantized for <see cref="Inference.Int8Inference"/>: int8 per output channel (symmetric, zero
/// point 0, <c>scale[n] = max |W[n, :]| / levels</c>), in oneDNN's layout for its u8 x s8 inner product. Each call
/// quantizes its input to uint8 with one scale and zero point for the whole call (<see cref="ActivationQuantizer"/>),
/// and oneDNN accumulates in int32 and writes float32 with the bias added. Checked before each use as every
/// <see cref="PackedWeight"/> is, and quantized again when the float32 weight changed.
/// </summary>
internal sealed class Int8PackedWeight : PackedWeight
{
    private readonly NativeOneDnn.OwnedTensor packed, scales, zeroPoints;
    private readonly long bytes;
    private int disposed;

    private Int8PackedWeight(NativeGemm gemm, NativeOneDnn onednn, Parameter weight, int levels) : base(gemm, weight)
    {
        Levels = levels;
        using var scope = NewDisposeScope(); // the temporaries below are freed here; the owned handles are not TorchSharp's
        using var noGrad = torch.no_grad();
        var (quantized, weightScales) = QuantizeWeight(weight, levels);
        packed = onednn.QLinearPrepack(quantized);
        scales = onednn.Own(weightScales);
        zeroPoints = onednn.Own(torch.zeros(outFeatures, ScalarType.Int64));
        bytes = (long)outFeatures * inFeatures;
        GC.AddMemoryPressure(bytes);
    }

    /// <summary>The largest quantized weight magnitude (127, or 63 on CPUs without VNNI, see <see cref="LevelsFor"/>).</summary>
    internal int Levels { get; }

    /// <summary>
    /// 127 where the CPU multiplies 8-bit values without intermediate saturation (AVX512-VNNI, AVX-VNNI, AMX); 63
    /// elsewhere, where the u8 x s8 pair sums of AVX2 and AVX-512 without VNNI saturate at 16 bits (255 * 127 * 2
    /// overflows, 255 * 63 * 2 does not). Chosen by instruction set.
    /// </summary>
    internal static int LevelsFor(CpuCapabilities cpu) => cpu.Vnni ? 127 : 63;

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
    /// another thread.
    /// </summary>
    internal static unsafe Tensor? Forward(NativeGemm gemm, NativeOneDnn onednn, Parameter weight, Parameter? bias, ref PackedWeight? slot, Tensor input, CpuCapabilities cpu,
                                           bool gelu = false)
    {
        if (!Eligible(gemm, weight, bias, input, out _)) return null;
        int levels = LevelsFor(cpu);
        var copy = Current(gemm, weight, ref slot, c => c.Levels == levels, () => new Int8PackedWeight(gemm, onednn, weight, levels));
        if (copy.packed.IsClosed) return null;

        using var scope = NewDisposeScope();
        var contiguous = input.is_contiguous() ? input : input.contiguous();
        var quantizedInput = torch.empty(contiguous.shape, ScalarType.Byte);
        var (scale, zeroPoint) = ActivationQuantizer.Quantize((float*)gemm.Data(contiguous), (byte*)gemm.DataOfBytes(quantizedInput), contiguous.numel(),
                                                              parallel: ActivationQuantizer.Threaded);
        GC.KeepAlive(contiguous);
        var scaleTensor = torch.tensor(scale);
        var zeroPointTensor = torch.tensor((int)zeroPoint);
        try
        {
            return onednn.QLinear(quantizedInput, scaleTensor, zeroPointTensor, copy.packed, copy.scales, copy.zeroPoints, bias, gelu).MoveToOuterDisposeScope();
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        packed.Dispose();
        scales.Dispose();
        zeroPoints.Dispose();
        GC.RemoveMemoryPressure(bytes);
    }
}
