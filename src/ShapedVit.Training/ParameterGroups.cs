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

    // timm's VisionTransformer.group_matcher (and DeiT's, which adds dist_token): the stem, then the blocks by index, the
    // final norm with the last block; whatever matches neither (the head, head_dist, fc_norm) goes last.
    private static readonly Regex Stem = new(@"^(cls_token|reg_token|dist_token|pos_embed|patch_embed)", RegexOptions.CultureInvariant);
    private static readonly Regex Block = new(@"^blocks\.(\d+)", RegexOptions.CultureInvariant);
    private const string FinalNormPrefix = "norm";

    private static int BlockIndex(string name)
    {
        var match = Block.Match(name);
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
    }

    /// <summary>Where a parameter sorts among timm's layers: stem, block i, the final norm (joins the block before it), the rest.</summary>
    private readonly record struct LayerOrdinal(int Kind, int Block) : IComparable<LayerOrdinal>
    {
        public const int StemKind = 0, BlockKind = 1, RestKind = 2;
        public const int FinalNorm = int.MaxValue; // a Block value after every block, merged into the layer before it

        public int CompareTo(LayerOrdinal other) => Kind != other.Kind ? Kind.CompareTo(other.Kind) : Block.CompareTo(other.Block);
    }

    private static LayerOrdinal OrdinalOf(string name)
    {
        if (Stem.IsMatch(name)) return new(LayerOrdinal.StemKind, 0);
        int block = BlockIndex(name);
        if (block >= 0) return new(LayerOrdinal.BlockKind, block);
        if (name.StartsWith(FinalNormPrefix, StringComparison.Ordinal)) return new(LayerOrdinal.BlockKind, LayerOrdinal.FinalNorm);
        return new(LayerOrdinal.RestKind, 0);
    }

    /// <summary>
    /// timm's layer ids (<c>group_parameters(model, model.group_matcher(), reverse=True)</c>) of every parameter name: the
    /// distinct ordinals in order get 0, 1, 2, ..., except that the final norm shares the id of the layer before it. For a
    /// ViT: the stem (<c>cls_token</c>, <c>reg_token</c>, <c>dist_token</c>, <c>pos_embed</c>, <c>patch_embed</c>) 0,
    /// <c>blocks.i</c> i + 1, the final <c>norm</c> depth (with the last block), the head and everything else depth + 1.
    /// </summary>
    internal static IReadOnlyDictionary<string, int> LayerIds(IEnumerable<string> names)
    {
        var ordinals = names.ToDictionary(name => name, OrdinalOf, StringComparer.Ordinal);
        var idOf = new Dictionary<LayerOrdinal, int>();
        int id = -1;
        foreach (var ordinal in ordinals.Values.Distinct().Order())
        {
            if (id < 0 || ordinal.Block != LayerOrdinal.FinalNorm) id++;
            idOf[ordinal] = id;
        }
        return ordinals.ToDictionary(kv => kv.Key, kv => idOf[kv.Value], StringComparer.Ordinal);
    }

    /// <summary>
    /// timm's layer-decay scale of a layer id: <paramref name="layerDecay"/>^(<paramref name="lastLayerId"/> - id). For a
    /// ViT of depth L (last id L + 1): the head's rate is the base rate, block i's (0-based, and the final norm with the
    /// last block) base x decay^(L - i), the stem's base x decay^(L + 1).
    /// </summary>
    internal static double LayerScale(int layerId, int lastLayerId, double layerDecay) => Math.Pow(layerDecay, lastLayerId - layerId);

    /// <summary>
    /// The trainable parameters (<c>requires_grad</c>) of <paramref name="model"/> in groups, as timm's
    /// <c>param_groups_layer_decay</c> builds them (or <c>param_groups_weight_decay</c> when <paramref name="layerDecay"/> is
    /// null): per layer id a decayed group and a no-decay group (<see cref="NoWeightDecay"/>), empty groups left out.
    /// </summary>
    public static IReadOnlyList<ParameterGroup> Create(nn.Module model, double weightDecay, double? layerDecay = null)
    {
        var noDecay = NoWeightDecay(model);
        // Layer ids count every parameter, frozen or not, as timm's do: a linear probe keeps the same scales.
        var layerIds = LayerIds(model.named_parameters().Select(p => p.name));
        int lastLayerId = layerIds.Values.DefaultIfEmpty(0).Max();
        var groups = new List<(string Key, List<(string, Parameter)> Parameters, double Scale, double Decay)>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!parameter.requires_grad) continue;
            bool decays = !noDecay.Contains(name) && weightDecay != 0;
            int layer = layerDecay is null ? -1 : layerIds[name];
            string key = (layer < 0 ? "" : $"layer_{layer}_") + (decays ? "decay" : "no_decay");
            int at = groups.FindIndex(g => g.Key == key);
            if (at < 0)
            {
                double scale = layerDecay is double d ? LayerScale(layer, lastLayerId, d) : 1.0;
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
