using System.Text.Json;
using ShapedVit.Testing;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Training.Tests;

/// <summary>
/// Layer-wise learning-rate decay against the groups timm's own <c>param_groups_layer_decay</c> computed
/// (Fixtures/make_layer_decay_reference.py): the same partition of the parameters, the same lr_scale and weight_decay.
/// </summary>
public class LayerDecayReferenceTests
{
    private sealed record ReferenceParameter(string Name, long[] Shape);
    private sealed record ReferenceGroup(double LrScale, double WeightDecay, ReferenceParameter[] Params);
    private sealed record ReferenceModel(string Name, ReferenceGroup[] Groups);
    private sealed record Reference(double WeightDecay, double LayerDecay, int Depth, ReferenceModel[] Models);

    private static readonly Reference Timm = JsonSerializer.Deserialize<Reference>(
        File.ReadAllText(Path.Combine(RepositoryRoot.Path, "tests", "ShapedVit.Training.Tests", "Fixtures", "layer_decay_reference.json")),
        new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!;

    private static ReferenceModel Model(string name) => Timm.Models.Single(m => m.Name == name);

    /// <summary>Each group as "scale decay: sorted names", sorted, so two groupings compare as one list of lines.</summary>
    private static string[] Describe(IEnumerable<(double Scale, double Decay, IEnumerable<string> Names)> groups) =>
        groups.Select(g => $"{g.Scale:R} {g.Decay:R}: {string.Join(" ", g.Names.Order(StringComparer.Ordinal))}").Order(StringComparer.Ordinal).ToArray();

    private static string[] Expected(ReferenceModel model) =>
        Describe(model.Groups.Select(g => (g.LrScale, g.WeightDecay, g.Params.Select(p => p.Name))));

    private static string[] Actual(nn.Module model) =>
        Describe(ParameterGroups.Create(model, Timm.WeightDecay, Timm.LayerDecay).Select(g => (g.LearningRateScale, g.WeightDecay, g.Parameters.Select(p => p.Name))));

    [Fact]
    public void The_fixture_is_timms_depth_three_recipe()
    {
        // decay^(depth - i) for block i (the final norm with the last block), decay^(depth + 1) for the stem, 1 for the head.
        var scaleOf = Model("vit_depth3_registers").Groups.SelectMany(g => g.Params.Select(p => (p.Name, g.LrScale))).ToDictionary();
        Assert.Equal(1.0, scaleOf["head.weight"]);
        Assert.Equal(0.75, scaleOf["norm.weight"]);
        Assert.Equal(0.75, scaleOf["blocks.2.attn.qkv.weight"]);
        Assert.Equal(0.5625, scaleOf["blocks.1.attn.qkv.weight"]);
        Assert.Equal(0.421875, scaleOf["blocks.0.attn.qkv.weight"]);
        Assert.All(new[] { "cls_token", "reg_token", "pos_embed", "patch_embed.proj.weight" }, name => Assert.Equal(0.31640625, scaleOf[name]));
    }

    [Fact]
    public void A_generated_ViT_gets_timms_groups()
    {
        using var model = new DepthThreeTinyVit(seed: 0);
        AssertSameParameters(Model("vit_depth3"), model);
        Assert.Equal(Expected(Model("vit_depth3")), Actual(model));
    }

    [Fact]
    public void A_generated_ViT_with_registers_gets_timms_groups()
    {
        using var model = new DepthThreeRegistersTinyVit(seed: 0);
        AssertSameParameters(Model("vit_depth3_registers"), model);
        Assert.Equal(Expected(Model("vit_depth3_registers")), Actual(model));
    }

    [Fact]
    public void A_distilled_DeiT_gets_timms_groups()
    {
        // ShapedVit declares no distillation token yet: a module with DeiT's parameter names and shapes stands in for it.
        var deit = Model("deit_distilled_depth3");
        using var model = new NamedParameters(deit.Groups.SelectMany(g => g.Params));
        Assert.Contains("dist_token", model.named_parameters().Select(p => p.name));
        Assert.Equal(Expected(deit), Actual(model));
    }

    private static void AssertSameParameters(ReferenceModel reference, nn.Module model) =>
        Assert.Equal(reference.Groups.SelectMany(g => g.Params).Select(p => $"{p.Name} [{string.Join(",", p.Shape)}]").Order(StringComparer.Ordinal),
                     model.named_parameters().Select(p => $"{p.name} [{string.Join(",", p.parameter.shape)}]").Order(StringComparer.Ordinal));

    /// <summary>A module tree holding zero parameters under dotted names, as a timm model names its parameters.</summary>
    private sealed class NamedParameters : nn.Module
    {
        private readonly Dictionary<string, NamedParameters> submodules = new(StringComparer.Ordinal);

        public NamedParameters(IEnumerable<ReferenceParameter> parameters) : this()
        {
            foreach (var parameter in parameters) Add(parameter.Name.Split('.'), parameter.Shape);
        }

        private NamedParameters() : base(nameof(NamedParameters)) { }

        private void Add(ReadOnlySpan<string> path, long[] shape)
        {
            if (path.Length == 1)
            {
                register_parameter(path[0], new Parameter(torch.zeros(shape)));
                return;
            }
            if (!submodules.TryGetValue(path[0], out var child))
            {
                child = submodules[path[0]] = new NamedParameters();
                register_module(path[0], child);
            }
            child.Add(path[1..], shape);
        }
    }
}
