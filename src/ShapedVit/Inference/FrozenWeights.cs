using System.Runtime.CompilerServices;
using ShapedVit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Inference;

/// <summary>
/// Frozen weights for CPU serving: the copies that CPU inference makes of each <see cref="PackableLinear"/>'s weight
/// (oneDNN's or oneMKL's layout in float32 and bfloat16, the int8 weights of <see cref="Int8Inference"/>) are used
/// without reading the whole weight again before each call, as ONNX Runtime's session or IPEX's prepacked weights use
/// theirs. By default a copy is checked before every use against the weight's bits (a checksum, one read of every
/// weight per forward) so that writes libtorch's version counter does not see are never missed; that read costs about
/// a tenth of a ViT-B/16 forward at batch 1 (docs/benchmarks.md, Run O).
/// </summary>
/// <remarks>
/// <para>What a frozen model still sees at its next forward: any write that libtorch counts (in-place tensor operations
/// such as <c>copy_</c>, <c>mul_</c> and <c>zero_</c>, <c>load_state_dict</c>, optimizer steps, ShapedVit's checkpoint
/// loading), a weight parameter replaced by another, and training (autograd on), which never uses the copies.</para>
/// <para>What it does not see until <see cref="Refresh{TModule}"/> or <see cref="Thaw{TModule}"/>: writes that bypass
/// the version counter, namely TorchSharp's <c>bytes</c> setter, spans and accessors from <c>data&lt;T&gt;()</c>, raw
/// pointers, and memory shared with managed arrays or other native code. After such a write, call
/// <see cref="Refresh{TModule}"/>: the next forward checks each copy once against its weight and copies again where
/// it differs.</para>
/// </remarks>
public static class FrozenWeights
{
    /// <summary>
    /// Per frozen weight: a number drawn from one process-wide sequence at each freeze and refresh, which a copy compares
    /// with the one it was last checked at (never reused, so a weight thawed, written and frozen again is checked again).
    /// </summary>
    private sealed class Generation
    {
        public int Value = NextGeneration();
    }

    private static readonly ConditionalWeakTable<Parameter, Generation> frozen = new();
    private static int generations;

    private static int NextGeneration() => Interlocked.Increment(ref generations);

    /// <summary>
    /// Freezes every <see cref="PackableLinear"/> weight of <paramref name="model"/> (see the type's remarks) and returns
    /// the same model. Each copy is checked once more at its next use, then no longer.
    /// </summary>
    public static TModule Freeze<TModule>(TModule model) where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var layer in PackableLinear.AllIn(model)) frozen.GetValue(layer.weight, _ => new Generation());
        return model;
    }

    /// <summary>Returns <paramref name="model"/>'s weights to being checked before every use.</summary>
    public static TModule Thaw<TModule>(TModule model) where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var layer in PackableLinear.AllIn(model)) frozen.Remove(layer.weight);
        return model;
    }

    /// <summary>
    /// After writes that bypass the version counter (see the type's remarks): the next forward checks each copy of
    /// <paramref name="model"/>'s frozen weights once against its weight and copies again where it differs. Returns the
    /// same model.
    /// </summary>
    public static TModule Refresh<TModule>(TModule model) where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var layer in PackableLinear.AllIn(model))
            if (frozen.TryGetValue(layer.weight, out var generation)) Volatile.Write(ref generation.Value, NextGeneration());
        return model;
    }

    /// <summary>Whether <paramref name="layer"/>'s weight is frozen.</summary>
    public static bool IsFrozen(PackableLinear layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return frozen.TryGetValue(layer.weight, out _);
    }

    /// <summary>The weight's current generation where it is frozen, else null (<see cref="PackedWeight"/> reads it).</summary>
    internal static int? GenerationOf(Parameter weight) => frozen.TryGetValue(weight, out var generation) ? Volatile.Read(ref generation.Value) : null;

}
