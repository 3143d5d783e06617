using ShapedVit.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Training;

/// <summary>
/// An exponential moving average of a model's weights, as timm's <c>ModelEmaV2</c>: after each optimizer step every
/// floating-point tensor of the state dict (parameters and buffers) becomes ema = decay x ema + (1 - decay) x model; other
/// tensors are copied. Evaluate with it by copying it into a model of the same architecture (<see cref="CopyTo"/>).
/// </summary>
public sealed class ModelEma : IDisposable
{
    private readonly List<(string Name, Tensor Live, Tensor Average)> entries = [];

    /// <summary>Starts the average at <paramref name="model"/>'s current weights.</summary>
    public ModelEma(nn.Module model, double decay)
    {
        if (!(decay >= 0 && decay <= 1)) throw new ArgumentOutOfRangeException(nameof(decay), $"EMA decay must be in [0, 1] (got {decay}).");
        Decay = decay;
        using var noGrad = torch.no_grad();
        foreach (var (name, tensor) in model.state_dict())
        {
            using var detached = tensor.detach(); // held until clone returns (see PackableLinear's constructor)
            entries.Add((name, tensor, detached.clone()));
        }
    }

    /// <summary>The weight of the old average in each update.</summary>
    public double Decay { get; }

    /// <summary>ema = decay x ema + (1 - decay) x model for floating tensors; a copy for the others.</summary>
    public void Update()
    {
        using var noGrad = torch.no_grad();
        using Scalar decay = Decay, rest = 1 - Decay;
        foreach (var (_, live, average) in entries)
        {
            if (live.is_floating_point()) average.mul_(decay).add_(live.detach(), alpha: rest);
            else average.copy_(live);
        }
    }

    /// <summary>The averaged tensors by state-dict name (views of the live average: copy before changing them).</summary>
    public IEnumerable<(string Name, Tensor Tensor)> StateTensors() => entries.Select(e => (e.Name, e.Average));

    /// <summary>Copies the average into <paramref name="model"/> (same state-dict names and shapes).</summary>
    public void CopyTo(nn.Module model)
    {
        var target = model.state_dict();
        using var noGrad = torch.no_grad();
        foreach (var (name, _, average) in entries) target[name].copy_(average);
    }

    /// <summary>Restores a saved average; a missing or wrongly shaped tensor is a <see cref="CheckpointException"/> and nothing changes.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, string source, bool validateOnly = false)
    {
        foreach (var (name, _, average) in entries)
        {
            if (!tensors.TryGetValue(name, out var saved))
                throw new CheckpointException(CheckpointRule.TrainingStateMismatch, name, "the state file has no EMA of this tensor.", source);
            if (!saved.shape.SequenceEqual(average.shape))
                throw new CheckpointException(CheckpointRule.TrainingStateMismatch, name,
                    $"the EMA tensor has shape [{string.Join(",", saved.shape)}], the model needs [{string.Join(",", average.shape)}].", source);
        }
        if (validateOnly) return;
        using var noGrad = torch.no_grad();
        foreach (var (name, _, average) in entries) average.copy_(tensors[name]);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var (_, _, average) in entries) average.Dispose();
        entries.Clear();
    }
}
