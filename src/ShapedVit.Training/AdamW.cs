using ShapedVit.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Training;

/// <summary>
/// AdamW (Loshchilov and Hutter, 2019), the same update as torch.optim.AdamW (decoupled weight decay, bias-corrected moments).
/// Written out here so its whole state (two moments per parameter and the step count) is ours to checkpoint and restore
/// bit for bit, on any device.
/// </summary>
public sealed class AdamW : ITrainerOptimizer
{
    private readonly List<Slot> slots = [];

    /// <summary>Optimises the named trainable <c>parameters</c> (names key the saved state); <c>decays</c> says which get weight
    /// decay (usual choice: matrices and convolution kernels, not biases, norms or tokens).</summary>
    public AdamW(IEnumerable<(string Name, Parameter Parameter)> parameters, Func<string, Parameter, bool> decays,
                 double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.05)
        : this(GroupBy(parameters, decays, weightDecay), beta1, beta2, eps)
    {
        WeightDecay = weightDecay;
    }

    /// <summary>Optimises parameter groups (see <see cref="ParameterGroups.Create"/>), each with its learning-rate scale and weight decay, as torch's param_groups.</summary>
    public AdamW(IReadOnlyList<ParameterGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        Beta1 = beta1; Beta2 = beta2; Eps = eps;
        WeightDecay = groups.Select(g => g.WeightDecay).DefaultIfEmpty(0).Max();
        var kept = new List<ParameterGroup>();
        foreach (var group in groups)
        {
            var trainable = group.Parameters.Where(p => p.Parameter.requires_grad).ToArray();
            if (trainable.Length == 0) continue;
            kept.Add(group with { Parameters = trainable });
            foreach (var (name, parameter) in trainable)
                slots.Add(new Slot(name, parameter, torch.zeros_like(parameter), torch.zeros_like(parameter), group.LearningRateScale, group.WeightDecay));
        }
        Groups = kept;
    }

    private static IReadOnlyList<ParameterGroup> GroupBy(IEnumerable<(string Name, Parameter Parameter)> parameters, Func<string, Parameter, bool> decays, double weightDecay)
    {
        var all = parameters.ToArray();
        return [new ParameterGroup("decay", all.Where(p => decays(p.Name, p.Parameter)).ToArray(), 1.0, weightDecay),
                new ParameterGroup("no_decay", all.Where(p => !decays(p.Name, p.Parameter)).ToArray(), 1.0, 0)];
    }

    /// <inheritdoc/>
    public IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>Decay rate of the first-moment (mean) estimate; torch's <c>betas[0]</c>.</summary>
    public double Beta1 { get; }
    /// <summary>Decay rate of the second-moment (uncentred variance) estimate; torch's <c>betas[1]</c>.</summary>
    public double Beta2 { get; }
    /// <summary>Added to the denominator for numerical stability; torch's <c>eps</c>.</summary>
    public double Eps { get; }
    /// <summary>The largest weight decay of the groups.</summary>
    public double WeightDecay { get; }
    /// <summary>Updates done so far (the bias correction's t).</summary>
    public long Step { get; private set; }
    /// <inheritdoc/>
    public IEnumerable<Parameter> Parameters => slots.Select(s => s.Parameter);

    /// <inheritdoc/>
    public void ZeroGrad()
    {
        foreach (var slot in slots) slot.Parameter.grad?.zero_();
    }

    /// <summary>One update with learning rate <paramref name="learningRate"/>; parameters without a gradient are left alone.</summary>
    public void Update(double learningRate)
    {
        Step++;
        double correction1 = 1 - Math.Pow(Beta1, Step);
        double correction2 = 1 - Math.Pow(Beta2, Step);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        // Every Scalar is held by a using until the loop is done: a temporary one can be freed mid-call (see Layers.Scalars).
        using Scalar beta1 = Beta1, oneMinusBeta1 = 1 - Beta1, beta2 = Beta2, oneMinusBeta2 = 1 - Beta2, eps = Eps;
        using Scalar rootCorrection2 = Math.Sqrt(correction2);
        foreach (var slot in slots)
        {
            var grad = slot.Parameter.grad;
            if (grad is null) continue;
            double rate = learningRate * slot.LearningRateScale;
            using Scalar decay = 1 - rate * slot.WeightDecay, stepSize = -rate / correction1;
            if (slot.WeightDecay != 0) slot.Parameter.mul_(decay);
            slot.ExpAvg.mul_(beta1).add_(grad, alpha: oneMinusBeta1);
            slot.ExpAvgSq.mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);
            // add_(eps) alone would make a temporary Scalar for alpha = 1 inside TorchSharp: alpha is the cached One.
            var denominator = slot.ExpAvgSq.sqrt().div_(rootCorrection2).add_(eps, ShapedVit.Layers.Scalars.One);
            slot.Parameter.addcdiv_(slot.ExpAvg, denominator, value: stepSize);
        }
    }

    /// <summary>The state as named tensors (views of the live moments: copy before changing them).</summary>
    public IEnumerable<(string Name, Tensor Tensor)> StateTensors()
    {
        foreach (var slot in slots)
        {
            yield return ($"{slot.Name}.exp_avg", slot.ExpAvg);
            yield return ($"{slot.Name}.exp_avg_sq", slot.ExpAvgSq);
        }
    }

    /// <summary>
    /// Restores the state saved by <see cref="StateTensors"/> and the step count. Every moment must be present with its
    /// shape; otherwise a <see cref="CheckpointException"/> naming <paramref name="source"/> is thrown and nothing changes.
    /// </summary>
    /// <param name="tensors">The moments by name.</param>
    /// <param name="step">The step count to continue from.</param>
    /// <param name="source">The file, for messages.</param>
    /// <param name="validateOnly">Only check, change nothing.</param>
    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, long step, string source = "optimizer state", bool validateOnly = false)
    {
        var live = StateTensors().ToList();
        foreach (var (name, moment) in live)
        {
            if (!tensors.TryGetValue(name, out var saved))
                throw new CheckpointException(CheckpointRule.TrainingStateMismatch, name, "the optimizer state has no such moment.", source);
            if (!saved.shape.SequenceEqual(moment.shape))
                throw new CheckpointException(CheckpointRule.TrainingStateMismatch, name,
                    $"the optimizer moment has shape [{string.Join(",", saved.shape)}], the model needs [{string.Join(",", moment.shape)}].", source);
        }
        if (validateOnly) return;
        using var noGrad = torch.no_grad();
        foreach (var (name, moment) in live) moment.copy_(tensors[name]);
        Step = step;
    }

    /// <summary>Disposes the moment tensors; the parameters are the model's and stay alive.</summary>
    public void Dispose()
    {
        foreach (var slot in slots) { slot.ExpAvg.Dispose(); slot.ExpAvgSq.Dispose(); }
        slots.Clear();
    }

    private sealed record Slot(string Name, Parameter Parameter, Tensor ExpAvg, Tensor ExpAvgSq, double LearningRateScale, double WeightDecay);
}
