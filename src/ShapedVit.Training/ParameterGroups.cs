using System.Text.RegularExpressions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Training;

/// <summary>
/// Parameters that share a learning-rate scale and a weight decay, as a torch optimizer's <c>param_groups</c> entry
/// (timm's <c>lr_scale</c> and <c>weight_decay</c>). The learning rate a parameter gets is the schedule's rate times
/// <see cref="LearningRateScale"/>.
/// </summary>
/// <param name="Name">A name for messages, such as timm's <c>layer_3_decay</c>.</param>
/// <param name="Parameters">The named parameters (names key the optimizer's saved state).</param>
/// <param name="LearningRateScale">Multiplies the scheduled learning rate.</param>
/// <param name="WeightDecay">Decoupled weight decay of the group (0 for none).</param>
public sealed record ParameterGroup(string Name, IReadOnlyList<(string Name, Parameter Parameter)> Parameters, double LearningRateScale, double WeightDecay);

/// <summary>
/// An optimizer the <see cref="Trainer"/> can drive and checkpoint: <see cref="AdamW"/> by default, or your own (pass an
/// <see cref="OptimizerFactory"/> to the trainer). Its state must be tensors keyed by name, so it is saved in the trainer's
/// state file and restored bit for bit.
/// </summary>
public interface ITrainerOptimizer : IDisposable
{
    /// <summary>The groups it optimises (trainable parameters only).</summary>
    IReadOnlyList<ParameterGroup> Groups { get; }
    /// <summary>Updates done so far.</summary>
    long Step { get; }
    /// <summary>Every optimised parameter.</summary>
    IEnumerable<Parameter> Parameters { get; }
    /// <summary>Zeroes the gradients of every optimised parameter.</summary>
    void ZeroGrad();
    /// <summary>One update; each group's rate is <paramref name="learningRate"/> x its <see cref="ParameterGroup.LearningRateScale"/>.</summary>
    void Update(double learningRate);
    /// <summary>The state as named tensors (views of the live state).</summary>
    IEnumerable<(string Name, Tensor Tensor)> StateTensors();
    /// <summary>Restores <see cref="StateTensors"/> and the step count; throws a <see cref="Checkpoints.CheckpointException"/> and changes nothing when they do not fit.</summary>
    void LoadState(IReadOnlyDictionary<string, Tensor> tensors, long step, string source = "optimizer state", bool validateOnly = false);
}

/// <summary>Makes the optimizer for the trainer's parameter groups (weight decay and layer decay already applied).</summary>
public delegate ITrainerOptimizer OptimizerFactory(IReadOnlyList<ParameterGroup> groups);

/// <summary>
/// timm's parameter grouping (<c>timm.optim.param_groups_weight_decay</c> and <c>param_groups_layer_decay</c>), for any
/// module: weight decay by parameter kind, layer-wise learning-rate decay by timm's ViT layer ids, and freezing.
/// </summary>
public static class ParameterGroups
{
    /// <summary>
    /// The parameters that get no weight decay, found by what they are, not by their names: every parameter of a norm layer
    /// (LayerNorm, GroupNorm, BatchNorm, InstanceNorm), every 1-D parameter (biases, norm scales, layer scales), and the
    /// parameters that the root module holds directly, which in a ViT are its tokens and position embedding
    /// (<c>cls_token</c>, <c>reg_token</c>, <c>pos_embed</c>: timm's <c>no_weight_decay()</c>). Keyed by parameter name.
    /// </summary>
    public static IReadOnlySet<string> NoWeightDecay(nn.Module model)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (moduleName, module) in model.named_modules())
        {
            if (module is not (LayerNorm or GroupNorm or BatchNorm1d or BatchNorm2d or BatchNorm3d or InstanceNorm1d or InstanceNorm2d or InstanceNorm3d)) continue;
            foreach (var (name, _) in module.named_parameters())
                names.Add(moduleName.Length == 0 ? name : $"{moduleName}.{name}");
        }
        foreach (var (name, _) in model.named_parameters(recurse: false)) names.Add(name);
        foreach (var (name, parameter) in model.named_parameters())
            if (parameter.dim() <= 1) names.Add(name);
        return names;
    }

    /// <summary>The encoder depth: the number of <c>blocks.N</c> modules (0 when the model has none).</summary>
    internal static int Depth(nn.Module model) =>
        model.named_parameters().Select(p => BlockIndex(p.name)).Where(i => i >= 0).DefaultIfEmpty(-1).Max() + 1;

    private static readonly Regex Stem = new(@"^(cls_token|pos_embed|patch_embed)", RegexOptions.CultureInvariant);
    private static readonly Regex Block = new(@"^blocks\.(\d+)", RegexOptions.CultureInvariant);

    private static int BlockIndex(string name)
    {
        var match = Block.Match(name);
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    /// <summary>
    /// timm's layer id of a ViT parameter (<c>VisionTransformer.group_matcher</c> through <c>group_with_matcher</c>):
    /// 0 for the stem (<c>cls_token</c>, <c>pos_embed</c>, <c>patch_embed</c>), i + 1 for <c>blocks.i</c>, depth + 1 for the
    /// final <c>norm</c>, depth + 2 for everything else (the head, <c>fc_norm</c>, and, as in timm, <c>reg_token</c>).
    /// </summary>
    internal static int LayerId(string name, int depth)
    {
        if (Stem.IsMatch(name)) return 0;
        int block = BlockIndex(name);
        if (block >= 0) return block + 1;
        if (name.StartsWith("norm", StringComparison.Ordinal)) return depth + 1;
        return depth + 2;
    }

    /// <summary>
    /// timm's layer-decay scale of a layer id: <paramref name="layerDecay"/>^(depth + 2 - id). So the head's rate is the base
    /// rate, the final norm's base x decay, block i's (0-based) base x decay^(depth + 1 - i), the embeddings' base x
    /// decay^(depth + 2).
    /// </summary>
    internal static double LayerScale(int layerId, int depth, double layerDecay) => Math.Pow(layerDecay, depth + 2 - layerId);

    /// <summary>
    /// The trainable parameters (<c>requires_grad</c>) of <paramref name="model"/> in groups, as timm's
    /// <c>param_groups_layer_decay</c> builds them (or <c>param_groups_weight_decay</c> when <paramref name="layerDecay"/> is
    /// null): per layer id a decayed group and a no-decay group (<see cref="NoWeightDecay"/>), empty groups left out.
    /// </summary>
    public static IReadOnlyList<ParameterGroup> Create(nn.Module model, double weightDecay, double? layerDecay = null)
    {
        var noDecay = NoWeightDecay(model);
        int depth = Depth(model);
        var groups = new List<(string Key, List<(string, Parameter)> Parameters, double Scale, double Decay)>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!parameter.requires_grad) continue;
            bool decays = !noDecay.Contains(name) && weightDecay != 0;
            int layer = layerDecay is null ? -1 : LayerId(name, depth);
            string key = (layer < 0 ? "" : $"layer_{layer}_") + (decays ? "decay" : "no_decay");
            int at = groups.FindIndex(g => g.Key == key);
            if (at < 0)
            {
                double scale = layerDecay is double d ? LayerScale(layer, depth, d) : 1.0;
                groups.Add((key, [], scale, decays ? weightDecay : 0));
                at = groups.Count - 1;
            }
            groups[at].Parameters.Add((name, parameter));
        }
        return groups.Select(g => new ParameterGroup(g.Key, g.Parameters, g.Scale, g.Decay)).ToArray();
    }

    /// <summary>
    /// A linear probe: turns off <c>requires_grad</c> for every parameter except those of the classifier (names starting
    /// with <paramref name="classifier"/> and a dot, timm's <c>pretrained_cfg["classifier"]</c>, "head" for a ViT).
    /// Returns the names left trainable; throws when the model has no such parameters.
    /// </summary>
    public static IReadOnlyList<string> FreezeAllBut(nn.Module model, string classifier = "head")
    {
        var trainable = new List<string>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            bool head = name.StartsWith(classifier + ".", StringComparison.Ordinal) || name == classifier;
            parameter.requires_grad = head;
            if (head) trainable.Add(name);
        }
        if (trainable.Count == 0)
            throw new ArgumentException($"The model has no parameters under '{classifier}' to train: a linear probe needs a classifier head.");
        return trainable;
    }
}
