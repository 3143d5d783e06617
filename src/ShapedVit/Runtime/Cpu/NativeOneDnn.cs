using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit;

/// <summary>
/// oneDNN's inner product (float32 and int8) as libtorch's CPU library exports it through its stable C shim (the
/// <c>aoti_torch_*</c> functions AOTInductor's generated code calls): <c>aoti_torch_cpu__linear_pointwise</c> and
/// <c>aoti_torch_cpu__qlinear_pointwise_tensor</c> for the products, and <c>aoti_torch_call_dispatcher</c> for the two
/// weight re-layouts (<c>mkldnn::_reorder_linear_weight</c>, <c>onednn::qlinear_prepack</c>). A shim handle
/// (<c>AtenTensorHandle</c>) is an <c>at::Tensor*</c> made with <c>new</c>, as TorchSharp's tensor handle is, so
/// TorchSharp tensors pass in as they are and results come back as TorchSharp tensors. oneDNN picks its kernels by
/// instruction set (AVX2, AVX-512, AVX512-VNNI, AMX), never by vendor. Exceptions inside libtorch come back as an
/// error code (the shim catches them), never across the native boundary. With <see cref="NativeGemm"/>, the only
/// place that looks up native symbols.
/// </summary>
internal sealed unsafe class NativeOneDnn
{
    private const string CallDispatcherName = "aoti_torch_call_dispatcher", NewHandleName = "aoti_torch_new_tensor_handle",
                         DeleteName = "aoti_torch_delete_tensor_object", LinearName = "aoti_torch_cpu__linear_pointwise",
                         LinearBinaryName = "aoti_torch_cpu__linear_pointwise_binary", QLinearName = "aoti_torch_cpu__qlinear_pointwise_tensor";

    private readonly delegate* unmanaged<byte*, byte*, ulong*, int> callDispatcher;
    private readonly delegate* unmanaged<IntPtr, IntPtr*, int> newHandle;
    private readonly delegate* unmanaged<IntPtr, int> delete;
    private readonly delegate* unmanaged<IntPtr, IntPtr, IntPtr*, byte*, double**, long, byte**, IntPtr*, int> linear;
    private readonly delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr*, byte*, IntPtr*, int> linearBinary;
    private readonly delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, IntPtr*, double, long, int*, byte*, double**, long, byte*, IntPtr*, int> qlinear;

    private static readonly byte[] NoneAttr = Encoding.ASCII.GetBytes("none\0"), GeluAttr = Encoding.ASCII.GetBytes("gelu\0"),
                                   AddAttr = Encoding.ASCII.GetBytes("add\0"),
                                   Empty = [0];

    /// <summary>Why the entry points are missing, or "none".</summary>
    internal static string FailureReason { get; private set; } = "not probed yet";

    private NativeOneDnn(IReadOnlyDictionary<string, IntPtr> exports)
    {
        callDispatcher = (delegate* unmanaged<byte*, byte*, ulong*, int>)exports[CallDispatcherName];
        newHandle = (delegate* unmanaged<IntPtr, IntPtr*, int>)exports[NewHandleName];
        delete = (delegate* unmanaged<IntPtr, int>)exports[DeleteName];
        linear = (delegate* unmanaged<IntPtr, IntPtr, IntPtr*, byte*, double**, long, byte**, IntPtr*, int>)exports[LinearName];
        linearBinary = (delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr*, byte*, IntPtr*, int>)exports[LinearBinaryName];
        qlinear = (delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, IntPtr*, double, long, int*, byte*, double**, long, byte*, IntPtr*, int>)exports[QLinearName];
    }

    /// <summary>The entry points, or null (with <see cref="FailureReason"/>) where libtorch's CPU library lacks any.</summary>
    internal static NativeOneDnn? TryLoad()
    {
        try
        {
            _ = torch.get_num_threads(); // loads libtorch first, so the name below finds the loaded copy
            if (!NativeGemm.TryLoadAny(out var torchCpu, "libtorch_cpu.so", "libtorch_cpu.dylib", "torch_cpu.dll"))
                return Fail("libtorch's CPU library is not loaded under its usual name");
            var exports = new Dictionary<string, IntPtr>(StringComparer.Ordinal);
            foreach (var name in new[] { CallDispatcherName, NewHandleName, DeleteName, LinearName, LinearBinaryName, QLinearName })
            {
                if (!NativeLibrary.TryGetExport(torchCpu, name, out var address)) return Fail($"libtorch_cpu does not export {name}");
                exports[name] = address;
            }
            var result = new NativeOneDnn(exports);
            // Both re-layouts are registered by libtorch's oneDNN build; probe them once on a small weight.
            using (torch.no_grad())
            using (var probe = torch.ones(4, 8))
            using (var probeInt8 = torch.ones(new long[] { 4, 8 }, ScalarType.Int8))
            {
                using var reordered = result.ReorderLinearWeight(probe);
                using var prepacked = result.QLinearPrepack(probeInt8);
            }
            FailureReason = "none";
            return result;
        }
        catch (Exception e)
        {
            return Fail($"{e.GetType().Name}: {e.Message}"); // an optional fast path never takes inference down with it
        }

        static NativeOneDnn? Fail(string reason)
        {
            FailureReason = reason;
            return null;
        }
    }

    /// <summary>A native tensor handle owned here (an <c>at::Tensor*</c>), freed when the last user releases it.</summary>
    internal sealed class OwnedTensor : SafeHandle
    {
        private readonly NativeOneDnn owner;

        internal OwnedTensor(NativeOneDnn owner, IntPtr handle) : base(IntPtr.Zero, ownsHandle: true)
        {
            this.owner = owner;
            SetHandle(handle);
        }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle() => owner.delete(handle) == 0;
    }

    /// <summary>A second handle to <paramref name="tensor"/>'s storage, owned by the caller (the shim's calls take handles over).</summary>
    internal IntPtr NewHandle(Tensor tensor)
    {
        IntPtr result;
        int error = newHandle(tensor.Handle, &result);
        GC.KeepAlive(tensor);
        if (error != 0) throw new InvalidOperationException("aoti_torch_new_tensor_handle failed");
        return result;
    }

    /// <summary>A handle to <paramref name="tensor"/> that this process owns apart from TorchSharp.</summary>
    internal OwnedTensor Own(Tensor tensor) => new(this, NewHandle(tensor));

    /// <summary>
    /// Calls the dispatcher's <paramref name="op"/> on one tensor and None (the two re-layouts' schemas:
    /// <c>(Tensor, int? / int[]? = None) -> Tensor</c>); the result is owned by the caller.
    /// </summary>
    private OwnedTensor CallTensorNone(string op, Tensor argument)
    {
        var name = Encoding.ASCII.GetBytes(op + "\0");
        var stack = stackalloc ulong[2];
        stack[0] = (ulong)NewHandle(argument); // taken over (and freed) by the call
        stack[1] = 0;                          // None, as the stable ABI encodes it
        int error;
        fixed (byte* opName = name, overload = Empty) error = callDispatcher(opName, overload, stack);
        if (error != 0) throw new InvalidOperationException($"{op} failed in libtorch (its message is on standard error)");
        return new OwnedTensor(this, (IntPtr)stack[0]);
    }

    /// <summary><paramref name="weight"/> [out, in] float32 copied into oneDNN's blocked layout for its inner product.</summary>
    internal OwnedTensor ReorderLinearWeight(Tensor weight) => CallTensorNone("mkldnn::_reorder_linear_weight", weight);

    /// <summary><paramref name="weight"/> [out, in] int8 copied into oneDNN's layout for its u8 x s8 inner product.</summary>
    internal OwnedTensor QLinearPrepack(Tensor weight) => CallTensorNone("onednn::qlinear_prepack", weight);

    /// <summary>
    /// <c>input W^T + b</c> (then GELU, erf form, where <paramref name="gelu"/>) with <paramref name="packed"/> from
    /// <see cref="ReorderLinearWeight"/>. libtorch hands oneDNN a blocked weight as it is, without checking it against
    /// the layout oneDNN's kernel for this row count expects: <see cref="OneDnnPackedWeight"/> checks that first.
    /// </summary>
    internal Tensor Linear(Tensor input, OwnedTensor packed, Tensor? bias, bool gelu = false) =>
        WithHandle(packed, weight => Linear(input, weight, bias, gelu));

    /// <summary>Runs <paramref name="call"/> on <paramref name="owned"/>'s handle, held so that no other thread frees it meanwhile.</summary>
    private static Tensor WithHandle(OwnedTensor owned, Func<IntPtr, Tensor> call)
    {
        bool added = false;
        try
        {
            owned.DangerousAddRef(ref added);
            return call(owned.DangerousGetHandle());
        }
        finally
        {
            if (added) owned.DangerousRelease();
        }
    }

    /// <summary><c>input W^T + b</c> with the dense float32 <paramref name="weight"/> [out, in] as it is (oneDNN keeps a plain layout it is given).</summary>
    internal Tensor Linear(Tensor input, Tensor weight, Tensor? bias, bool gelu = false)
    {
        var result = Linear(input, weight.Handle, bias, gelu);
        GC.KeepAlive(weight);
        return result;
    }

    /// <summary>
    /// <c>input W^T + b + residual</c> in one oneDNN call (a binary add post-op), with <paramref name="packed"/> from
    /// <see cref="ReorderLinearWeight"/>; <paramref name="residual"/> has the output's shape.
    /// </summary>
    internal Tensor LinearAdd(Tensor input, OwnedTensor packed, Tensor? bias, Tensor residual) =>
        WithHandle(packed, weight => LinearAdd(input, weight, bias, residual));

    /// <summary><c>input W^T + b + residual</c> with the dense float32 <paramref name="weight"/> [out, in] as it is.</summary>
    internal Tensor LinearAdd(Tensor input, Tensor weight, Tensor? bias, Tensor residual)
    {
        var result = LinearAdd(input, weight.Handle, bias, residual);
        GC.KeepAlive(weight);
        return result;
    }

    private Tensor LinearAdd(Tensor input, IntPtr weight, Tensor? bias, Tensor residual)
    {
        IntPtr biasHandle = bias?.Handle ?? IntPtr.Zero, result = IntPtr.Zero;
        int error;
        fixed (byte* attr = AddAttr)
            error = linearBinary(input.Handle, residual.Handle, weight, bias is null ? null : &biasHandle, attr, &result);
        GC.KeepAlive(input);
        GC.KeepAlive(residual);
        GC.KeepAlive(bias);
        if (error != 0) throw new InvalidOperationException("oneDNN's linear with a residual add failed in libtorch (its message is on standard error)");
        return Tensor.UnsafeCreateTensor(result);
    }

    private Tensor Linear(Tensor input, IntPtr weight, Tensor? bias, bool gelu)
    {
        IntPtr biasHandle = bias?.Handle ?? IntPtr.Zero, result = IntPtr.Zero;
        int error;
        fixed (byte* attr = gelu ? GeluAttr : NoneAttr, none = NoneAttr)
        {
            byte* algorithm = none; // GELU's "none" approximation: the erf form, as timm's nn.GELU
            error = linear(input.Handle, weight, bias is null ? null : &biasHandle, attr, null, 0, gelu ? &algorithm : null, &result);
        }
        GC.KeepAlive(input);
        GC.KeepAlive(bias);
        if (error != 0) throw new InvalidOperationException("oneDNN's linear failed in libtorch (its message is on standard error)");
        return Tensor.UnsafeCreateTensor(result);
    }

    /// <summary>
    /// float32 <c>dequant(qx) dequant(W)^T + b</c> (then GELU, erf form, where <paramref name="gelu"/>): <paramref name="quantized"/> uint8 [M, K] with
    /// <paramref name="scale"/> (float32) and <paramref name="zeroPoint"/> (int32), both 0-dim; the weight from
    /// <see cref="QLinearPrepack"/> with per-output-channel <paramref name="weightScales"/> and zero points.
    /// </summary>
    internal Tensor QLinear(Tensor quantized, Tensor scale, Tensor zeroPoint, OwnedTensor packed, OwnedTensor weightScales, OwnedTensor weightZeroPoints, Tensor? bias,
                            bool gelu = false)
    {
        bool a = false, b = false, c = false;
        try
        {
            packed.DangerousAddRef(ref a);
            weightScales.DangerousAddRef(ref b);
            weightZeroPoints.DangerousAddRef(ref c);
            IntPtr biasHandle = bias?.Handle ?? IntPtr.Zero, result = IntPtr.Zero;
            int outputType = (int)ScalarType.Float32, error;
            fixed (byte* postOp = gelu ? GeluAttr : NoneAttr, algorithm = gelu ? NoneAttr : Empty) // GELU's "none" approximation: the erf form
            {
                error = qlinear(quantized.Handle, scale.Handle, zeroPoint.Handle, packed.DangerousGetHandle(), weightScales.DangerousGetHandle(),
                                weightZeroPoints.DangerousGetHandle(), bias is null ? null : &biasHandle, 1.0, 0, &outputType, postOp, null, 0, algorithm, &result);
            }
            GC.KeepAlive(quantized);
            GC.KeepAlive(scale);
            GC.KeepAlive(zeroPoint);
            GC.KeepAlive(bias);
            if (error != 0) throw new InvalidOperationException("oneDNN's int8 linear failed in libtorch (its message is on standard error)");
            return Tensor.UnsafeCreateTensor(result);
        }
        finally
        {
            if (c) weightZeroPoints.DangerousRelease();
            if (b) weightScales.DangerousRelease();
            if (a) packed.DangerousRelease();
        }
    }
}
