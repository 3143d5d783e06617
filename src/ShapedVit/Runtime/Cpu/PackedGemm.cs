namespace ShapedVit;

/// <summary>
/// The float32 CPU inference GEMM of the transformer blocks' Linear layers (<see cref="Layers.PackableLinear"/>), and its
/// off switches. libtorch's <c>linear</c> hands each call to oneMKL's GEMM, which copies the weight into its blocked
/// layout on every call; the packed path keeps each weight in oneMKL's packed layout (<c>cblas_sgemm_pack</c>, exported
/// by libtorch's own CPU library) and multiplies with <c>cblas_sgemm_compute</c> when autograd is off
/// (<c>torch.no_grad</c> or <c>torch.inference_mode</c>) and the input is a float32 CPU tensor; everything else takes
/// libtorch's path unchanged. Results equal libtorch's to float32 rounding (the same oneMKL kernels). The oneDNN path
/// instead keeps each weight in oneDNN's blocked layout and multiplies with oneDNN's inner product (exported by the
/// same library through its stable C shim), which picks its kernels by instruction set alone (AVX-512 where the CPU has
/// it, where oneMKL runs AVX2 kernels on CPUs of other vendors); results equal libtorch's to float32 rounding.
/// </summary>
/// <remarks>
/// <para>Which path runs is chosen once per process from what the CPU can do (its instruction sets, read with cpuid)
/// and what libtorch's CPU library exports, never from the CPU's vendor name; <see cref="Status"/> says which and
/// why. docs/benchmarks.md has the measurements behind the choice.</para>
/// <para>A packed weight is checked before every use against the parameter it came from: the same tensor, the same
/// storage address, libtorch's version counter (which every in-place change through libtorch bumps:
/// <c>load_state_dict</c>, <c>copy_</c>, optimizer steps, EMA updates) and a checksum of the weight's contents (which
/// catches writes that bypass libtorch: the <c>bytes</c> setter, spans from <c>data&lt;float&gt;()</c>, memory written
/// through <c>data_ptr</c>). It is packed again when any of them changed. The checksum is a 64-bit two-sum (Fletcher)
/// checksum over the weight's bits: it misses only a change crafted so that both sums cancel. The checksum reads every
/// weight once per forward (about a tenth of a ViT-B/16 forward at batch 1); a server whose weights do not change
/// skips it with <see cref="Inference.FrozenWeights"/>, which keeps the other checks. A forward with autograd
/// on (training) drops the packed copies, as does setting <see cref="Enabled"/> to false.</para>
/// <para>Memory: the packed copies take about as much again as the float32 weights they copy, held while the model runs
/// inference and freed when it trains, when packing is switched off, or when it is disposed.</para>
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

    private static readonly string? startReason = ReasonToDisable(Environment.GetEnvironmentVariable, OffSwitch.IsSet(DisableSwitch));
    private static volatile bool enabled = startReason is null;

    /// <summary>Whether libtorch's CPU library offers everything packed GEMM needs in this process.</summary>
    public static bool IsAvailable => CpuInference.Native is not null;

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
            if (CpuInference.Native is null) return $"unavailable: {NativeGemm.FailureReason}";
            var selection = CpuInference.Selection;
            return CpuInference.ActivePath switch
            {
                GemmPath.OneMklPacked => "oneMKL packed GEMM (libtorch_cpu) for float32 CPU inference",
                GemmPath.OneDnnPacked => $"oneDNN inner product with blocked weights (libtorch_cpu) for float32 CPU inference: {selection.Reason}",
                _ when (CpuInference.ForcedPath ?? selection.Path) == GemmPath.OneDnnPacked => $"libtorch's linear for float32 CPU inference: oneDNN unavailable: {NativeOneDnn.FailureReason}",
                _ => $"libtorch's linear for float32 CPU inference: {selection.Reason}",
            };
        }
    }

    /// <summary>The reason to start switched off, or null; separate from the process state so that it can be tested.</summary>
    internal static string? ReasonToDisable(Func<string, string?> environment, bool disableSwitch) =>
        OffSwitch.Reason(DisableSwitch, disableSwitch, DisableVariable, environment);
}
