using System.Runtime.InteropServices;
using TorchSharp;

namespace ShapedVit;

/// <summary>
/// oneMKL's packed single-precision GEMM and the two tensor queries the cache needs, found in libtorch's CPU library at
/// run time (C symbols for oneMKL, Itanium-mangled C++ symbols for libtorch), plus TorchSharp's storage pointer. The
/// only place that looks up native symbols.
/// </summary>
internal sealed unsafe class NativeGemm
{
    internal const int RowMajor = 101, NoTrans = 111, Trans = 112, Packed = 151, BMatrix = 162; // oneMKL's CBLAS enums

    private readonly delegate* unmanaged<int, int, int, int, nuint> packGetSize;
    private readonly delegate* unmanaged<int, int, int, int, int, int, float, IntPtr, int, IntPtr, void> pack;
    private readonly delegate* unmanaged<int, int, int, int, int, int, IntPtr, int, IntPtr, int, float, IntPtr, int, void> compute;
    private readonly delegate* unmanaged<IntPtr, long> version;       // at::TensorBase::_version() const
    private readonly delegate* unmanaged<IntPtr, byte> isInference;   // at::native::is_inference(const at::Tensor&)
    private readonly delegate* unmanaged<IntPtr, IntPtr> storageData; // TorchSharp's THSStorage_data_ptr

    internal static string FailureReason { get; private set; } = "not probed yet";

    private const string PackGetSizeName = "cblas_sgemm_pack_get_size", PackName = "cblas_sgemm_pack", ComputeName = "cblas_sgemm_compute",
                         VersionName = "_ZNK2at10TensorBase8_versionEv", IsInferenceName = "_ZN2at6native12is_inferenceERKNS_6TensorE",
                         StorageDataName = "THSStorage_data_ptr";

    private NativeGemm(IReadOnlyDictionary<string, IntPtr> exports)
    {
        packGetSize = (delegate* unmanaged<int, int, int, int, nuint>)exports[PackGetSizeName];
        pack = (delegate* unmanaged<int, int, int, int, int, int, float, IntPtr, int, IntPtr, void>)exports[PackName];
        compute = (delegate* unmanaged<int, int, int, int, int, int, IntPtr, int, IntPtr, int, float, IntPtr, int, void>)exports[ComputeName];
        version = (delegate* unmanaged<IntPtr, long>)exports[VersionName];
        isInference = (delegate* unmanaged<IntPtr, byte>)exports[IsInferenceName];
        storageData = (delegate* unmanaged<IntPtr, IntPtr>)exports[StorageDataName];
    }

    internal static NativeGemm? TryLoad()
    {
        try
        {
            _ = torch.get_num_threads(); // makes TorchSharp load libtorch first, so the names below find the loaded copies
            if (!TryLoadAny(out var torchCpu, "libtorch_cpu.so", "libtorch_cpu.dylib", "torch_cpu.dll"))
                return Fail("libtorch's CPU library is not loaded under its usual name");
            if (!TryLoadAny(out var torchSharp, "libLibTorchSharp.so", "libLibTorchSharp.dylib", "LibTorchSharp.dll"))
                return Fail("TorchSharp's native library is not loaded under its usual name");
            var exports = new Dictionary<string, IntPtr>(StringComparer.Ordinal);
            foreach (var (library, handle, name) in new[]
            {
                ("libtorch_cpu", torchCpu, PackGetSizeName), ("libtorch_cpu", torchCpu, PackName), ("libtorch_cpu", torchCpu, ComputeName),
                ("libtorch_cpu", torchCpu, VersionName), ("libtorch_cpu", torchCpu, IsInferenceName), ("LibTorchSharp", torchSharp, StorageDataName),
            })
            {
                if (!NativeLibrary.TryGetExport(handle, name, out var address)) return Fail($"{library} does not export {name}");
                exports[name] = address;
            }
            FailureReason = "none";
            return new NativeGemm(exports);
        }
        catch (Exception e)
        {
            return Fail($"{e.GetType().Name}: {e.Message}"); // an optional fast path never takes inference down with it
        }

        static NativeGemm? Fail(string reason)
        {
            FailureReason = reason;
            return null;
        }
    }

    internal static bool TryLoadAny(out IntPtr handle, params string[] names)
    {
        foreach (var name in names)
            if (NativeLibrary.TryLoad(name, typeof(torch).Assembly, null, out handle)) return true;
        handle = IntPtr.Zero;
        return false;
    }

    internal nuint PackedSize(int rows, int outFeatures, int inFeatures) => packGetSize(BMatrix, rows, outFeatures, inFeatures);

    /// <summary>Packs <c>weight</c> [N, K] (row-major) as the transposed B of C = A W^T.</summary>
    internal void Pack(int rows, int outFeatures, int inFeatures, IntPtr weight, IntPtr destination) =>
        pack(RowMajor, BMatrix, Trans, rows, outFeatures, inFeatures, 1f, weight, inFeatures, destination);

    /// <summary>C [M, N] = A [M, K] x packed + beta C.</summary>
    internal void Compute(int rows, int outFeatures, int inFeatures, IntPtr input, IntPtr packed, float beta, IntPtr output) =>
        compute(RowMajor, NoTrans, Packed, rows, outFeatures, inFeatures, input, inFeatures, packed, inFeatures, beta, output, outFeatures);

    /// <summary>libtorch's version counter of a tensor that is not an inference tensor.</summary>
    internal long Version(torch.Tensor tensor) => version(tensor.Handle);

    internal bool IsInference(torch.Tensor tensor) => isInference(tensor.Handle) != 0;

    /// <summary>The address of a tensor's first element (float32 or bfloat16).</summary>
    internal IntPtr Data(torch.Tensor tensor) => storageData(tensor.Handle) + checked((nint)(tensor.storage_offset() * tensor.ElementSize));

    /// <summary>The address of a one-byte-element tensor's first element.</summary>
    internal IntPtr DataOfBytes(torch.Tensor tensor) => storageData(tensor.Handle) + checked((nint)tensor.storage_offset());
}
