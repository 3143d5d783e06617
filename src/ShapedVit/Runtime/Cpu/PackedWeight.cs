using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit;

/// <summary>
/// One Linear's weight in oneMKL's packed layout, with what it was packed from (see <see cref="PackedGemm"/>). A
/// <see cref="Layers.PackableLinear"/> keeps one in a field; <see cref="CpuInference"/> fills, checks and uses it.
/// </summary>
internal sealed class PackedWeight : IDisposable
{
    // Only the weight is copied into the packed layout; the bias is read from the layer at every call.
    private readonly Parameter weight;
    private readonly long weightVersion;
    private readonly IntPtr weightData;
    private readonly ulong weightChecksum;
    private readonly int outFeatures, inFeatures, rows;
    private readonly PackedBuffer buffer;
    private static long packsMade;

    private PackedWeight(NativeGemm gemm, Parameter weight, int rows)
    {
        this.weight = weight;
        this.rows = rows;
        outFeatures = checked((int)weight.shape[0]);
        inFeatures = checked((int)weight.shape[1]);
        weightVersion = gemm.Version(weight);
        weightData = gemm.Data(weight);
        buffer = PackedBuffer.Allocate(gemm.PackedSize(rows, outFeatures, inFeatures));
        bool added = false;
        try
        {
            buffer.DangerousAddRef(ref added);
            weightChecksum = WeightChecksum.Compute(weightData, ByteCount);
            gemm.Pack(rows, outFeatures, inFeatures, weightData, buffer.DangerousGetHandle());
        }
        finally
        {
            if (added) buffer.DangerousRelease();
            GC.KeepAlive(weight);
        }
        Interlocked.Increment(ref packsMade);
    }

    private long ByteCount => (long)outFeatures * inFeatures * sizeof(float);

    /// <summary>How many weights were packed in this process (tests read it to see the cache work).</summary>
    internal static long PacksMade => Interlocked.Read(ref packsMade);

    /// <summary>
    /// <c>linear(input)</c> through the packed weight in <paramref name="slot"/> (packed or packed again first when missing
    /// or stale), or null where the call is not eligible (the caller then runs libtorch's linear).
    /// </summary>
    internal static Tensor? Forward(NativeGemm gemm, Parameter weight, Parameter? bias, ref PackedWeight? slot, Tensor input)
    {
        if (!Eligible(gemm, weight, bias, input, out int rows)) return null;

        // oneMKL lays the packed weight out for the row count it is given: used for fewer rows than that it can run on
        // one thread, used for more it runs as fast as its own packing. So the copy is made for the fewest rows seen,
        // and made again when fewer come.
        var packed = Volatile.Read(ref slot);
        if (packed is null || rows < packed.rows || !packed.IsCurrent(gemm, weight))
        {
            var fresh = new PackedWeight(gemm, weight, rows);
            Interlocked.Exchange(ref slot, fresh)?.Dispose(); // a forward on another thread still using it holds a reference
            packed = fresh;
        }
        return packed.Multiply(gemm, input, rows, bias);
    }

    /// <summary>Frees the packed copy in <paramref name="slot"/>, if any.</summary>
    internal static void Release(ref PackedWeight? slot)
    {
        if (Volatile.Read(ref slot) is not null) Interlocked.Exchange(ref slot, null)?.Dispose();
    }

    private static bool Eligible(NativeGemm gemm, Parameter weight, Parameter? bias, Tensor input, out int rows)
    {
        rows = 0;
        if (weight.dim() != 2) return false;
        if (!IsDenseCpuFloat32(input) || input.dim() < 1) return false;
        // Inference tensors have no version counter to check a packed copy against.
        if (!IsDenseCpuFloat32(weight) || !weight.is_contiguous() || gemm.IsInference(weight)) return false;
        if (bias is not null && !IsDenseCpuFloat32(bias)) return false;
        long inFeatures = weight.shape[1], outFeatures = weight.shape[0];
        if (input.shape[^1] != inFeatures || inFeatures > int.MaxValue || outFeatures > int.MaxValue || inFeatures == 0 || outFeatures == 0) return false;
        if (bias is not null && (bias.dim() != 1 || bias.shape[0] != outFeatures)) return false;
        long m = input.numel() / inFeatures;
        if (m == 0 || m > int.MaxValue) return false;
        rows = (int)m;
        return true;
    }

    private static bool IsDenseCpuFloat32(Tensor tensor) =>
        tensor.device_type == DeviceType.CPU && tensor.dtype == ScalarType.Float32 && !tensor.is_sparse;

    /// <summary>Whether the packed copy still holds <paramref name="current"/>'s values (see <see cref="PackedGemm"/>'s remarks).</summary>
    private bool IsCurrent(NativeGemm gemm, Parameter current)
    {
        if (!ReferenceEquals(weight, current) || gemm.Version(current) != weightVersion || gemm.Data(current) != weightData) return false;
        if (current.shape[0] != outFeatures || current.shape[1] != inFeatures) return false;
        bool same = WeightChecksum.Compute(weightData, ByteCount) == weightChecksum;
        GC.KeepAlive(current);
        return same;
    }

    /// <summary>The product, or null where this copy was freed meanwhile by another thread (the caller then runs libtorch's linear).</summary>
    private Tensor? Multiply(NativeGemm gemm, Tensor input, int rows, Tensor? bias)
    {
        bool added = false;
        try
        {
            buffer.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        try
        {
            var contiguous = input.is_contiguous() ? input : input.contiguous();
            var shape = input.shape;
            shape[^1] = outFeatures;
            var output = torch.empty(shape, ScalarType.Float32, input.device);
            // C = A W^T + C with the bias broadcast into C first, as libtorch's addmm does.
            if (bias is not null) output.copy_(bias);
            gemm.Compute(rows, outFeatures, inFeatures, gemm.Data(contiguous), buffer.DangerousGetHandle(), bias is null ? 0f : 1f, gemm.Data(output));
            GC.KeepAlive(input);
            if (!ReferenceEquals(contiguous, input)) contiguous.Dispose();
            return output;
        }
        finally
        {
            if (added) buffer.DangerousRelease();
        }
    }

    public void Dispose() => buffer.Dispose();

    /// <summary>64-byte aligned native memory for a packed weight, freed when the last user releases it.</summary>
    private sealed class PackedBuffer : SafeHandle
    {
        private long size;

        private PackedBuffer() : base(IntPtr.Zero, ownsHandle: true) { }

        public override bool IsInvalid => handle == IntPtr.Zero;

        public static unsafe PackedBuffer Allocate(nuint bytes)
        {
            var result = new PackedBuffer();
            result.SetHandle((IntPtr)NativeMemory.AlignedAlloc(bytes, 64));
            result.size = checked((long)bytes);
            GC.AddMemoryPressure(result.size);
            return result;
        }

        protected override unsafe bool ReleaseHandle()
        {
            NativeMemory.AlignedFree((void*)handle);
            GC.RemoveMemoryPressure(size);
            return true;
        }
    }
}
