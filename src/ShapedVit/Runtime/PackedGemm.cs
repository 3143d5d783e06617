using System.Collections;
using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;

namespace ShapedVit;

/// <summary>
/// Float32 CPU inference with the transformer's weight matrices packed once. libtorch's <c>linear</c> hands each call to
/// oneMKL's GEMM, which copies the weight into its blocked layout on every call; at batch 1 (197 tokens for ViT-B/16)
/// that copy is a large part of each GEMM. The attention and MLP layers therefore keep their four weights in oneMKL's
/// packed layout (<c>cblas_sgemm_pack</c>, exported by libtorch's own CPU library) and multiply with
/// <c>cblas_sgemm_compute</c> when autograd is off (<c>torch.no_grad</c> or <c>torch.inference_mode</c>) and the input
/// is a float32 CPU tensor; everything else takes libtorch's path unchanged. Results equal libtorch's to float32
/// rounding (the same oneMKL kernels; see docs/benchmarks.md for the measured difference and speed).
/// </summary>
/// <remarks>
/// <para>A packed weight is checked before every use against the parameter it came from (the same tensor, the same
/// storage, and libtorch's version counter, which every in-place change bumps: <c>load_state_dict</c>,
/// <c>copy_</c>, optimizer steps, EMA updates), and packed again when it changed. A forward with autograd on (training)
/// drops the packed copies, as does setting <see cref="Enabled"/> to false. A Linear with forward hooks registered on
/// it is always run as itself, so its hooks fire.</para>
/// <para>Memory: the packed copies take about as much again as the float32 weights they copy (ViT-B/16: 353 MiB of
/// resident memory for 324 MiB of block weights; see docs/benchmarks.md), held while the model runs inference and freed
/// when it trains, when packing is switched off, or when it is disposed.</para>
/// <para>Off switches: the runtime configuration switch <see cref="DisableSwitch"/> (in a project file:
/// <c>&lt;RuntimeHostConfigurationOption Include="ShapedVit.PackedGemm.Disable" Value="true" /&gt;</c>), the
/// environment variable <see cref="DisableVariable"/> set to <c>1</c>, or <see cref="Enabled"/> at run time. It is
/// unavailable (and libtorch's path is used) where libtorch's CPU library does not export oneMKL's packed GEMM or the
/// tensor functions it needs (for instance libtorch builds without oneMKL, such as macOS on Arm).</para>
/// </remarks>
public static class PackedGemm
{
    /// <summary>The runtime configuration switch that, when true, turns packed GEMM off for the process.</summary>
    public const string DisableSwitch = "ShapedVit.PackedGemm.Disable";

    /// <summary>The environment variable that, set to <c>1</c> or <c>true</c>, turns packed GEMM off for the process.</summary>
    public const string DisableVariable = "SHAPEDVIT_DISABLE_PACKED_GEMM";

    private static readonly Lazy<NativeGemm?> native = new(NativeGemm.TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly string? startReason = ReasonToDisable(Environment.GetEnvironmentVariable, OffSwitch.IsSet(DisableSwitch));
    private static volatile bool enabled = startReason is null;

    /// <summary>Whether libtorch's CPU library offers everything packed GEMM needs in this process.</summary>
    public static bool IsAvailable => native.Value is not null;

    /// <summary>
    /// Whether eligible inference GEMMs use packed weights. Starts true unless switched off (see the type's remarks);
    /// setting it to false makes the layers drop their packed copies at their next forward.
    /// </summary>
    public static bool Enabled
    {
        get => enabled;
        set => enabled = value;
    }

    /// <summary>Whether packed GEMM is used in this process, and why not if not, in one sentence.</summary>
    public static string Status
    {
        get
        {
            if (!enabled) return startReason ?? $"switched off by {nameof(PackedGemm)}.{nameof(Enabled)}";
            if (native.Value is null) return $"unavailable: {NativeGemm.FailureReason}";
            return "oneMKL packed GEMM (libtorch_cpu) for float32 CPU inference";
        }
    }

    /// <summary>The reason to start switched off, or null; separate from the process state so that it can be tested.</summary>
    internal static string? ReasonToDisable(Func<string, string?> environment, bool disableSwitch) =>
        OffSwitch.Reason(DisableSwitch, disableSwitch, DisableVariable, environment);

    /// <summary>The native entry points, or null where any is missing.</summary>
    internal static NativeGemm? Native => enabled ? native.Value : null;
}

/// <summary>
/// oneMKL's packed single-precision GEMM and the two tensor queries the cache needs, found in libtorch's CPU library at
/// run time (C symbols for oneMKL, Itanium-mangled C++ symbols for libtorch), plus TorchSharp's storage pointer.
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
    private readonly Func<object, bool> hasHooks;

    internal static string FailureReason { get; private set; } = "not probed yet";

    private const string PackGetSizeName = "cblas_sgemm_pack_get_size", PackName = "cblas_sgemm_pack", ComputeName = "cblas_sgemm_compute",
                         VersionName = "_ZNK2at10TensorBase8_versionEv", IsInferenceName = "_ZN2at6native12is_inferenceERKNS_6TensorE",
                         StorageDataName = "THSStorage_data_ptr";

    private NativeGemm(IReadOnlyDictionary<string, IntPtr> exports, Func<object, bool> hasHooks)
    {
        packGetSize = (delegate* unmanaged<int, int, int, int, nuint>)exports[PackGetSizeName];
        pack = (delegate* unmanaged<int, int, int, int, int, int, float, IntPtr, int, IntPtr, void>)exports[PackName];
        compute = (delegate* unmanaged<int, int, int, int, int, int, IntPtr, int, IntPtr, int, float, IntPtr, int, void>)exports[ComputeName];
        version = (delegate* unmanaged<IntPtr, long>)exports[VersionName];
        isInference = (delegate* unmanaged<IntPtr, byte>)exports[IsInferenceName];
        storageData = (delegate* unmanaged<IntPtr, IntPtr>)exports[StorageDataName];
        this.hasHooks = hasHooks;
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
            if (HookReader() is not { } hooks) return Fail("TorchSharp's module hook tables were not found (so hooked layers could not be told apart)");
            FailureReason = "none";
            return new NativeGemm(exports, hooks);
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

    private static bool TryLoadAny(out IntPtr handle, params string[] names)
    {
        foreach (var name in names)
            if (NativeLibrary.TryLoad(name, typeof(torch).Assembly, null, out handle)) return true;
        handle = IntPtr.Zero;
        return false;
    }

    /// <summary>
    /// Reads TorchSharp's forward hook tables (private dictionaries of its HookableModule base class): a packed layer
    /// must not skip hooks that <c>call</c> would fire.
    /// </summary>
    private static Func<object, bool>? HookReader()
    {
        for (var type = typeof(Linear).BaseType; type is not null; type = type.BaseType)
        {
            var fields = type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly)
                             .Where(f => f.Name.Contains("hook", StringComparison.OrdinalIgnoreCase) && typeof(ICollection).IsAssignableFrom(f.FieldType))
                             .ToArray();
            if (fields.Length == 0) continue;
            return module => fields.Any(f => f.GetValue(module) is ICollection { Count: > 0 });
        }
        return null;
    }

    internal bool HasHooks(Linear linear) => hasHooks(linear);

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

    /// <summary>The address of a float32 tensor's first element.</summary>
    internal IntPtr Data(torch.Tensor tensor) => storageData(tensor.Handle) + checked((nint)(tensor.storage_offset() * sizeof(float)));
}
