using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit;

/// <summary>
/// A copy of one Linear's weight in a GEMM library's own layout, with what it was made from (see <see cref="PackedGemm"/>):
/// the base of oneMKL's packed copy (<see cref="OneMklPackedWeight"/>), oneDNN's blocked copy
/// (<see cref="OneDnnPackedWeight"/>) and the int8 copy (<see cref="Int8PackedWeight"/>). A
/// <see cref="Layers.PackableLinear"/> keeps one in a field; <see cref="CpuInference"/> fills, checks and uses it. Every
/// kind is checked before each use the same way: the same parameter, storage address, version counter and checksum;
/// the checksum is skipped for a weight frozen with <see cref="Inference.FrozenWeights"/> once the copy has been checked
/// at the weight's current generation.
/// </summary>
internal abstract class PackedWeight : IDisposable
{
    // Only the weight is copied; the bias is read from the layer at every call.
    private readonly Parameter weight;
    private readonly long weightVersion;
    private readonly IntPtr weightData;
    private readonly ulong weightChecksum;
    private int checkedAtGeneration = NotChecked; // the frozen weight's generation the checksum last matched at
    private const int NotChecked = -1;
    private static long packsMade, checksumsComputed;

    /// <summary>The weight's shape [out, in] when the copy was made.</summary>
    protected readonly int outFeatures, inFeatures;

    /// <summary>The weight's element type when the copy was made (float32, or bfloat16 for oneDNN's blocked copy).</summary>
    protected readonly ScalarType dtype;

    /// <summary>Records what <paramref name="weight"/> is now; the subclass copies it afterwards, in its constructor.</summary>
    protected PackedWeight(NativeGemm gemm, Parameter weight)
    {
        this.weight = weight;
        outFeatures = checked((int)weight.shape[0]);
        inFeatures = checked((int)weight.shape[1]);
        dtype = weight.dtype;
        weightVersion = gemm.Version(weight);
        weightData = gemm.Data(weight);
        checkedAtGeneration = Inference.FrozenWeights.GenerationOf(weight) ?? NotChecked;
        weightChecksum = Checksum(weightData, ByteCount);
        GC.KeepAlive(weight);
        Interlocked.Increment(ref packsMade);
    }

    /// <summary>The address of the weight's first element when the copy was made.</summary>
    protected IntPtr WeightData => weightData;

    /// <summary>The weight's size in bytes.</summary>
    protected long ByteCount => (long)outFeatures * inFeatures * (dtype == ScalarType.BFloat16 ? 2 : sizeof(float));

    /// <summary>How many weights were copied into any layout in this process (tests read it to see the cache work).</summary>
    internal static long PacksMade => Interlocked.Read(ref packsMade);

    /// <summary>How many weight checksums were computed in this process (tests read it to see frozen weights skip them).</summary>
    internal static long ChecksumsComputed => Interlocked.Read(ref checksumsComputed);

    private static ulong Checksum(IntPtr data, long bytes)
    {
        Interlocked.Increment(ref checksumsComputed);
        return WeightChecksum.Compute(data, bytes);
    }

    /// <summary>Frees the copy in <paramref name="slot"/>, if any.</summary>
    internal static void Release(ref PackedWeight? slot)
    {
        if (Volatile.Read(ref slot) is not null) Interlocked.Exchange(ref slot, null)?.Dispose();
    }

    /// <summary>
    /// The copy of kind <typeparamref name="T"/> in <paramref name="slot"/> if it is current (and <paramref name="fits"/>
    /// it), else a fresh one from <paramref name="make"/>, swapped in (the one it replaces is freed once no forward on
    /// another thread uses it).
    /// </summary>
    internal static T Current<T>(NativeGemm gemm, Parameter weight, ref PackedWeight? slot, Func<T, bool> fits, Func<T> make) where T : PackedWeight
    {
        if (Volatile.Read(ref slot) is T packed && fits(packed) && packed.IsCurrent(gemm, weight)) return packed;
        var fresh = make();
        Interlocked.Exchange(ref slot, fresh)?.Dispose();
        return fresh;
    }

    /// <summary>
    /// Whether a float32 CPU inference call can take a copied weight, and its row count (the product of the input's
    /// leading dimensions).
    /// </summary>
    internal static bool Eligible(NativeGemm gemm, Parameter weight, Parameter? bias, Tensor input, out int rows) =>
        Eligible(gemm, weight, bias, input, ScalarType.Float32, out rows);

    /// <summary>As <see cref="Eligible(NativeGemm, Parameter, Parameter?, Tensor, out int)"/>, for input, weight and bias all of <paramref name="type"/>.</summary>
    internal static bool Eligible(NativeGemm gemm, Parameter weight, Parameter? bias, Tensor input, ScalarType type, out int rows)
    {
        rows = 0;
        if (weight.dim() != 2) return false;
        if (!IsDenseCpu(input, type) || input.dim() < 1) return false;
        // Inference tensors have no version counter to check a packed copy against.
        if (!IsDenseCpu(weight, type) || !weight.is_contiguous() || gemm.IsInference(weight)) return false;
        if (bias is not null && !IsDenseCpu(bias, type)) return false;
        long inFeatures = weight.shape[1], outFeatures = weight.shape[0];
        if (input.shape[^1] != inFeatures || inFeatures > int.MaxValue || outFeatures > int.MaxValue || inFeatures == 0 || outFeatures == 0) return false;
        if (bias is not null && (bias.dim() != 1 || bias.shape[0] != outFeatures)) return false;
        long m = input.numel() / inFeatures;
        if (m == 0 || m > int.MaxValue) return false;
        rows = (int)m;
        return true;
    }

    private static bool IsDenseCpu(Tensor tensor, ScalarType type) =>
        tensor.device_type == DeviceType.CPU && tensor.dtype == type && !tensor.is_sparse;

    /// <summary>Whether the copy still holds <paramref name="current"/>'s values (see <see cref="PackedGemm"/>'s remarks).</summary>
    private bool IsCurrent(NativeGemm gemm, Parameter current)
    {
        if (!ReferenceEquals(weight, current) || gemm.Version(current) != weightVersion || gemm.Data(current) != weightData) return false;
        if (current.shape[0] != outFeatures || current.shape[1] != inFeatures) return false;
        // A frozen weight is read again only once per freeze or refresh (see FrozenWeights' remarks).
        int? generation = Inference.FrozenWeights.GenerationOf(current);
        if (generation is int g && Volatile.Read(ref checkedAtGeneration) == g) return true;
        bool same = Checksum(weightData, ByteCount) == weightChecksum;
        GC.KeepAlive(current);
        if (same && generation is int checkedGeneration) Volatile.Write(ref checkedAtGeneration, checkedGeneration);
        return same;
    }

    /// <summary>Frees the copy (once no forward on another thread uses it).</summary>
    public abstract void Dispose();
}

/// <summary>One Linear's weight in oneMKL's packed layout (<see cref="GemmPath.OneMklPacked"/>).</summary>
internal sealed class OneMklPackedWeight : PackedWeight
{
    private readonly int rows;
    private readonly PackedBuffer buffer;

    private OneMklPackedWeight(NativeGemm gemm, Parameter weight, int rows) : base(gemm, weight)
    {
        this.rows = rows;
        buffer = PackedBuffer.Allocate(gemm.PackedSize(rows, outFeatures, inFeatures));
        bool added = false;
        try
        {
            buffer.DangerousAddRef(ref added);
            gemm.Pack(rows, outFeatures, inFeatures, WeightData, buffer.DangerousGetHandle());
        }
        finally
        {
            if (added) buffer.DangerousRelease();
            GC.KeepAlive(weight);
        }
    }

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
        var packed = Current(gemm, weight, ref slot, p => rows >= p.rows, () => new OneMklPackedWeight(gemm, weight, rows));
        return packed.Multiply(gemm, input, rows, bias);
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

    public override void Dispose() => buffer.Dispose();

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

/// <summary>
/// One Linear's float32 weight in oneDNN's blocked layout (<see cref="GemmPath.OneDnnPacked"/>). libtorch's oneDNN
/// linear uses a blocked weight as it is given, without checking it against the layout that oneDNN's kernel for the
/// call's row count (and thread count) expects, and a mismatch gives wrong numbers. So the blocked copy is used for a
/// row and thread count only after a product with it equalled oneDNN's product with the plain weight (which oneDNN
/// always reads as given) on a fixed pseudo-random input of that shape; where it did not, that shape multiplies with
/// the plain weight, still through oneDNN's kernels.
/// </summary>
internal sealed class OneDnnPackedWeight : PackedWeight
{
    private readonly NativeOneDnn.OwnedTensor packed;
    private readonly long bytes;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int Rows, int Threads), bool> blockedMatches = new();
    private int disposed;
    private static long blockedMismatches;

    private OneDnnPackedWeight(NativeGemm gemm, NativeOneDnn onednn, Parameter weight) : base(gemm, weight)
    {
        packed = onednn.ReorderLinearWeight(weight);
        bytes = ByteCount;
        GC.AddMemoryPressure(bytes);
    }

    /// <summary>How many (weight, row count, thread count) checks found the blocked layout unusable (tests and the benchmark read it).</summary>
    internal static long BlockedMismatches => Interlocked.Read(ref blockedMismatches);

    /// <summary>
    /// <c>linear(input)</c> through the blocked weight in <paramref name="slot"/> (made again first when missing or
    /// stale), then GELU where <paramref name="gelu"/> (oneDNN's post-op, in the same pass), or null where the call is not
    /// eligible or the copy was freed meanwhile by another thread.
    /// </summary>
    internal static Tensor? Forward(NativeGemm gemm, NativeOneDnn onednn, Parameter weight, Parameter? bias, ref PackedWeight? slot, Tensor input, bool gelu = false)
    {
        // float32, or bfloat16 (BFloat16Inference's models), each in oneDNN's blocked layout for that type.
        var type = input.dtype == ScalarType.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
        if (!Eligible(gemm, weight, bias, input, type, out int rows)) return null;
        var copy = Current(gemm, weight, ref slot, c => c.dtype == type, () => new OneDnnPackedWeight(gemm, onednn, weight));
        if (copy.packed.IsClosed) return null;
        try
        {
            var key = (rows, torch.get_num_threads());
            if (!copy.blockedMatches.TryGetValue(key, out bool matches))
            {
                matches = copy.BlockedMatchesPlain(onednn, weight, rows);
                copy.blockedMatches[key] = matches;
                if (!matches) Interlocked.Increment(ref blockedMismatches);
            }
            return matches ? onednn.Linear(input, copy.packed, bias, gelu) : onednn.Linear(input, (Tensor)weight, bias, gelu);
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Whether the blocked copy gives the plain weight's product for <paramref name="rows"/> rows (see the type's summary).</summary>
    private bool BlockedMatchesPlain(NativeOneDnn onednn, Parameter weight, int rows)
    {
        using var scope = NewDisposeScope();
        // The Scalar and the generator are held until the calls return: as temporaries the collector may finalise them
        // mid-call (the soak's "Unknown scalar type" here).
        using var generator = new Generator(20260101);
        using var minusHalf = (-0.5).ToScalar();
        var probe = torch.rand(new long[] { rows, inFeatures }, generator: generator).add_(minusHalf, Layers.Scalars.One).to(dtype);
        var blocked = onednn.Linear(probe, packed, null).to(ScalarType.Float32);
        var plain = onednn.Linear(probe, (Tensor)weight, null).to(ScalarType.Float32);
        double scale = plain.abs().max().item<float>();
        double difference = (blocked - plain).abs().max().item<float>();
        // A wrong layout is off by a good part of the scale (0.4-0.8 seen); bfloat16 outputs differ by rounding (2^-8).
        return difference <= (dtype == ScalarType.BFloat16 ? 1e-2 : 1e-4) * scale + 1e-30;
    }

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        packed.Dispose();
        GC.RemoveMemoryPressure(bytes);
    }
}
