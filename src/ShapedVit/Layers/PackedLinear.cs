using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Layers;

/// <summary>
/// One Linear's weight in oneMKL's packed layout, with what it was packed from (see <see cref="PackedGemm"/>). A layer
/// keeps one per Linear in a field and calls <see cref="Forward"/> instead of <c>linear.call</c>.
/// </summary>
internal sealed class PackedLinear : IDisposable
{
    // Only the weight is copied into the packed layout; the bias is read from the Linear at every call.
    private readonly Parameter weight;
    private readonly long weightVersion;
    private readonly IntPtr weightData;
    private readonly int outFeatures, inFeatures, rows;
    private readonly PackedBuffer buffer;
    private static long packsMade;

    private PackedLinear(NativeGemm gemm, Parameter weight, int rows)
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
            gemm.Pack(rows, outFeatures, inFeatures, weightData, buffer.DangerousGetHandle());
        }
        finally
        {
            if (added) buffer.DangerousRelease();
            GC.KeepAlive(weight);
        }
        Interlocked.Increment(ref packsMade);
    }

    /// <summary>How many weights were packed in this process (tests read it to see the cache work).</summary>
    internal static long PacksMade => Interlocked.Read(ref packsMade);

    /// <summary>
    /// <c>linear(input)</c>: through the packed weight in <paramref name="slot"/> (packed or packed again first when
    /// missing or stale) when autograd is off and everything is float32 on the CPU; otherwise <c>linear.call(input)</c>,
    /// and with autograd on or packing switched off the slot is emptied.
    /// </summary>
    internal static Tensor Forward(Linear linear, ref PackedLinear? slot, Tensor input)
    {
        var gemm = PackedGemm.Native;
        if (gemm is null || torch.is_grad_enabled())
        {
            Release(ref slot);
            return linear.call(input);
        }
        if (!Eligible(gemm, linear, input, out int rows)) return linear.call(input);

        // oneMKL lays the packed weight out for the row count it is given: used for fewer rows than that it can run on
        // one thread (a ViT-B/16 fc2 packed for batch 8 takes twice as long at batch 1), used for more it runs as fast as
        // its own packing. So the copy is made for the fewest rows seen, and made again when fewer come.
        var packed = Volatile.Read(ref slot);
        if (packed is null || rows < packed.rows || !packed.IsCurrent(gemm, linear))
        {
            var fresh = new PackedLinear(gemm, linear.weight!, rows);
            Interlocked.Exchange(ref slot, fresh)?.Dispose(); // a forward on another thread still using it holds a reference
            packed = fresh;
        }
        return packed.Multiply(gemm, input, rows, linear.bias) ?? linear.call(input);
    }

    /// <summary>Frees the packed copy in <paramref name="slot"/>, if any.</summary>
    internal static void Release(ref PackedLinear? slot)
    {
        if (Volatile.Read(ref slot) is not null) Interlocked.Exchange(ref slot, null)?.Dispose();
    }

    private static bool Eligible(NativeGemm gemm, Linear linear, Tensor input, out int rows)
    {
        rows = 0;
        var weight = linear.weight;
        var bias = linear.bias;
        if (weight is null || weight.dim() != 2) return false;
        if (!IsDenseCpuFloat32(input) || input.dim() < 1) return false;
        // Inference tensors have no version counter to check a packed copy against.
        if (!IsDenseCpuFloat32(weight) || !weight.is_contiguous() || gemm.IsInference(weight)) return false;
        if (bias is not null && !IsDenseCpuFloat32(bias)) return false;
        long inFeatures = weight.shape[1], outFeatures = weight.shape[0];
        if (input.shape[^1] != inFeatures || inFeatures > int.MaxValue || outFeatures > int.MaxValue || inFeatures == 0 || outFeatures == 0) return false;
        if (bias is not null && (bias.dim() != 1 || bias.shape[0] != outFeatures)) return false;
        long m = input.numel() / inFeatures;
        if (m == 0 || m > int.MaxValue) return false;
        if (gemm.HasHooks(linear)) return false;
        rows = (int)m;
        return true;
    }

    private static bool IsDenseCpuFloat32(Tensor tensor) =>
        tensor.device_type == DeviceType.CPU && tensor.dtype == ScalarType.Float32 && !tensor.is_sparse;

    private bool IsCurrent(NativeGemm gemm, Linear linear) =>
        ReferenceEquals(weight, linear.weight) && gemm.Version(weight) == weightVersion && gemm.Data(weight) == weightData;

    /// <summary>The product, or null where this copy was freed meanwhile by another thread (the caller then runs the Linear).</summary>
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
