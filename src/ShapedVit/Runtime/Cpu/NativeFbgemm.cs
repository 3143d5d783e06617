using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit;

/// <summary>
/// fbgemm's int8 linear as libtorch's CPU library exports it: <c>aten::fbgemm_pack_quantized_matrix</c> (reached through
/// the stable C shim's <c>aoti_torch_call_dispatcher</c>, which catches libtorch's exceptions) packs an int8 weight
/// [out, in] once; <c>at::_ops::fbgemm_linear_int8_weight_fp32_activation::call</c> then quantizes a float32 input to
/// uint8 per call (one scale and zero point from the input's range) while packing it, multiplies u8 x s8 with int32
/// accumulation (AVX512-VNNI kernels where the CPU has them, chosen by fbgemm from cpuid) and writes float32. The second
/// takes two <c>c10::Scalar</c>s, which the stable shim cannot pass, so it is called by its exported C++ name (the
/// Itanium ABI: the result through a hidden pointer); found on Linux x86-64 builds only. A C++ exception from it would
/// not cross into .NET safely, so every call is checked here first against everything the function checks.
/// </summary>
internal sealed unsafe class NativeFbgemm
{
    private const string CallDispatcherName = "aoti_torch_call_dispatcher", NewHandleName = "aoti_torch_new_tensor_handle";
    private const string LinearName = "_ZN2at4_ops41fbgemm_linear_int8_weight_fp32_activation4callERKNS_6TensorES4_S4_S4_RKN3c106ScalarES8_S4_";

    private readonly delegate* unmanaged<byte*, byte*, ulong*, int> callDispatcher;
    private readonly delegate* unmanaged<IntPtr, IntPtr*, int> newHandle;
    private readonly delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, ScalarValue*, ScalarValue*, IntPtr, IntPtr> linear;

    /// <summary>Why the entry points are missing, or "none".</summary>
    internal static string FailureReason { get; private set; } = "not probed yet";

    private NativeFbgemm(IntPtr callDispatcher, IntPtr newHandle, IntPtr linear)
    {
        this.callDispatcher = (delegate* unmanaged<byte*, byte*, ulong*, int>)callDispatcher;
        this.newHandle = (delegate* unmanaged<IntPtr, IntPtr*, int>)newHandle;
        this.linear = (delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, ScalarValue*, ScalarValue*, IntPtr, IntPtr>)linear;
    }

    /// <summary>
    /// The entry points, or null (with <see cref="FailureReason"/>) where libtorch's CPU library lacks any, fbgemm does not
    /// run on this CPU, or a probe product differs from the exact one.
    /// </summary>
    internal static NativeFbgemm? TryLoad()
    {
        try
        {
            if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !OperatingSystem.IsLinux())
                return Fail("fbgemm's int8 linear is reached by its Itanium C++ name, on Linux x86-64 only");
            _ = torch.get_num_threads(); // loads libtorch first, so the name below finds the loaded copy
            if (!NativeGemm.TryLoadAny(out var torchCpu, "libtorch_cpu.so"))
                return Fail("libtorch's CPU library is not loaded under its usual name");
            if (!NativeLibrary.TryGetExport(torchCpu, CallDispatcherName, out var dispatcher)) return Fail($"libtorch_cpu does not export {CallDispatcherName}");
            if (!NativeLibrary.TryGetExport(torchCpu, NewHandleName, out var handle)) return Fail($"libtorch_cpu does not export {NewHandleName}");
            if (!NativeLibrary.TryGetExport(torchCpu, LinearName, out var linear)) return Fail("libtorch_cpu does not export fbgemm_linear_int8_weight_fp32_activation");
            var result = new NativeFbgemm(dispatcher, handle, linear);
            // The pack goes through the shim, which turns "Your CPU does not support FBGEMM" into an error code; the
            // product is then checked against the exact integer product on a small case.
            string? mismatch = result.Probe();
            if (mismatch is not null) return Fail(mismatch);
            FailureReason = "none";
            return result;
        }
        catch (Exception e)
        {
            return Fail($"{e.GetType().Name}: {e.Message}"); // an optional fast path never takes inference down with it
        }

        static NativeFbgemm? Fail(string reason)
        {
            FailureReason = reason;
            return null;
        }
    }

    private string? Probe()
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        // Values whose product is exact in float32: input quantizes without rounding (range [-1, 2.4], 255 levels).
        var weight = torch.arange(-40, 40, ScalarType.Int32).remainder(7).sub(3).to(ScalarType.Int8).reshape(8, 10);
        var input = torch.arange(0, 30, ScalarType.Float32).remainder(18).sub(5).mul(0.2f).reshape(3, 10);
        using var packed = Pack(weight);
        var got = Linear(input, weight, packed, ColumnOffsets(weight), torch.zeros(8));
        var expected = torch.matmul(input.to(ScalarType.Float64), weight.to(ScalarType.Float64).t()).to(ScalarType.Float32);
        double difference = (got - expected).abs().max().item<float>();
        return difference <= 0.02 ? null : $"fbgemm's int8 linear gave a probe product {difference:G3} away from the exact one";
    }

    /// <summary>A native tensor handle owned here, freed when the last user releases it.</summary>
    internal sealed class PackedMatrix : SafeHandle
    {
        internal PackedMatrix(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            Tensor.UnsafeCreateTensor(handle).Dispose(); // the handle is an at::Tensor* made with new, as TorchSharp's are
            return true;
        }
    }

    /// <summary><paramref name="weight"/> int8 [out, in] in fbgemm's packed layout (an opaque tensor owned by the caller).</summary>
    internal PackedMatrix Pack(Tensor weight)
    {
        if (weight.dtype != ScalarType.Int8 || weight.dim() != 2 || weight.device_type != DeviceType.CPU)
            throw new ArgumentException("fbgemm packs an int8 CPU matrix [out, in].", nameof(weight));
        var contiguous = weight.contiguous();
        IntPtr argument;
        int error = newHandle(contiguous.Handle, &argument);
        GC.KeepAlive(contiguous);
        if (error != 0) throw new InvalidOperationException("aoti_torch_new_tensor_handle failed");
        var stack = stackalloc ulong[1];
        stack[0] = (ulong)argument; // taken over (and freed) by the call
        var name = Encoding.ASCII.GetBytes("aten::fbgemm_pack_quantized_matrix\0");
        byte empty = 0;
        fixed (byte* op = name) error = callDispatcher(op, &empty, stack);
        if (error != 0) throw new InvalidOperationException("aten::fbgemm_pack_quantized_matrix failed in libtorch (its message is on standard error)");
        return new PackedMatrix((IntPtr)stack[0]);
    }

    /// <summary>The int32 sums of each output row of <paramref name="weight"/> (fbgemm's column offsets for a zero point of 0).</summary>
    internal static Tensor ColumnOffsets(Tensor weight) => weight.to(ScalarType.Int32).sum(1, type: ScalarType.Int32).contiguous();

    /// <summary>
    /// float32 <c>quantize(input) dequantize(W)^T + bias</c>, with W the int8 weight (per-tensor scale 1, zero point 0;
    /// per-channel scales are applied by the caller), <paramref name="input"/> float32 [.., in] quantized to uint8 with
    /// one scale and zero point from its range. <paramref name="bias"/> float32 [out] is required (zeros for none).
    /// </summary>
    internal Tensor Linear(Tensor input, Tensor weight, PackedMatrix packed, Tensor columnOffsets, Tensor bias)
    {
        // Everything the C++ function checks with TORCH_CHECK, checked here first (an exception must not cross into .NET).
        if (input.dtype != ScalarType.Float32 || input.device_type != DeviceType.CPU || input.dim() < 2 || !input.is_contiguous())
            throw new ArgumentException("fbgemm's int8 linear takes a contiguous float32 CPU input of two or more dimensions.", nameof(input));
        if (weight.dtype != ScalarType.Int8 || weight.dim() != 2 || input.shape[^1] != weight.shape[1])
            throw new ArgumentException("fbgemm's int8 linear takes an int8 weight [out, in] matching the input.", nameof(weight));
        long outFeatures = weight.shape[0];
        if (bias.dtype != ScalarType.Float32 || bias.dim() != 1 || bias.shape[0] != outFeatures || !bias.is_contiguous())
            throw new ArgumentException("fbgemm's int8 linear takes a contiguous float32 bias [out].", nameof(bias));
        if (columnOffsets.dtype != ScalarType.Int32 || columnOffsets.dim() != 1 || columnOffsets.shape[0] != outFeatures || !columnOffsets.is_contiguous())
            throw new ArgumentException("fbgemm's int8 linear takes contiguous int32 column offsets [out].", nameof(columnOffsets));
        // Two Scalars, 16-byte aligned as C++ may copy them with aligned loads.
        var buffer = stackalloc byte[80];
        var scale = (ScalarValue*)(((nint)buffer + 15) & ~(nint)15);
        var zeroPoint = scale + 1;
        *scale = ScalarValue.Double(1.0);
        *zeroPoint = ScalarValue.Long(0);
        bool added = false;
        // The result is an at::Tensor returned through a hidden pointer; the 8 bytes are malloc'd, as operator new does,
        // so the handle is freed as TorchSharp frees its own (delete).
        var result = (IntPtr)NativeMemory.Alloc((nuint)IntPtr.Size);
        try
        {
            packed.DangerousAddRef(ref added);
            *(IntPtr*)result = IntPtr.Zero;
            linear(result, input.Handle, weight.Handle, packed.DangerousGetHandle(), columnOffsets.Handle, scale, zeroPoint, bias.Handle);
            GC.KeepAlive(input);
            GC.KeepAlive(weight);
            GC.KeepAlive(columnOffsets);
            GC.KeepAlive(bias);
            var tensor = Tensor.UnsafeCreateTensor(result);
            result = IntPtr.Zero;
            return tensor;
        }
        finally
        {
            if (added) packed.DangerousRelease();
            if (result != IntPtr.Zero) NativeMemory.Free((void*)result);
        }
    }

    /// <summary>
    /// A <c>c10::Scalar</c> as libtorch 2.x lays it out: the tag (an int; double 0 and int64 1 in every version) first,
    /// then the value union, 16-byte aligned because it holds a <c>c10::complex&lt;double&gt;</c>. The value is written
    /// at offset 8 as well, so that a layout with the union at 8 reads it too.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    private struct ScalarValue
    {
        [FieldOffset(0)] private int tag;
        [FieldOffset(8)] private long early;
        [FieldOffset(16)] private long value;

        public static ScalarValue Double(double d) => new() { tag = 0, early = BitConverter.DoubleToInt64Bits(d), value = BitConverter.DoubleToInt64Bits(d) };

        public static ScalarValue Long(long i) => new() { tag = 1, early = i, value = i };
    }
}
