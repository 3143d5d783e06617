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
    public void A_generated_mean_pooled_ViT_with_registers_and_no_class_token_gets_timms_groups()
    {
        // fc_norm (after pooling) is not the final norm: timm gives it the head's scale, not the last block's.
        using var model = new DepthThreeGapRegistersTinyVit(seed: 0);
        AssertSameParameters(Model("vit_depth3_gap_registers"), model);
        Assert.Equal(Expected(Model("vit_depth3_gap_registers")), Actual(model));
    }

    [Fact(Skip = "Until the generator emits DistillationToken (dist_token, head_dist); A_distilled_DeiT_gets_timms_groups checks the same names on a stand-in meanwhile.")]
    public void A_generated_distilled_DeiT_gets_timms_groups()
    {
        using var model = new DepthThreeDistilledTinyVit(seed: 0);
        AssertSameParameters(Model("deit_distilled_depth3"), model);
        Assert.Equal(Expected(Model("deit_distilled_depth3")), Actual(model));
    }

    [Fact]
    public void The_fixture_records_where_timm_puts_the_families_parameters()
    {
        var scaleOf = (string model) => Model(model).Groups.SelectMany(g => g.Params.Select(p => (p.Name, g.LrScale))).ToDictionary();
        var decayOf = (string model) => Model(model).Groups.SelectMany(g => g.Params.Select(p => (p.Name, g.WeightDecay))).ToDictionary();
        // DeiT: the distillation token with the stem, head_dist with the head.
        Assert.Equal(0.31640625, scaleOf("deit_distilled_depth3")["dist_token"]);
        Assert.Equal(1.0, scaleOf("deit_distilled_depth3")["head_dist.weight"]);
        // CLIP: timm's '^norm' matcher also takes norm_pre, so it joins the final norm and the last block, not the stem.
        Assert.Equal(0.75, scaleOf("vit_depth3_clip")["norm_pre.weight"]);
        // SigLIP: the attention-pool head goes with the head, and its 3-D latent is weight-decayed (not in no_weight_decay()).
        Assert.Equal(1.0, scaleOf("vit_depth3_siglip_map")["attn_pool.latent"]);
        Assert.Equal(0.05, decayOf("vit_depth3_siglip_map")["attn_pool.latent"]);
        // Mean pooling: fc_norm with the head. Layer scale: in its block, not decayed.
        Assert.Equal(1.0, scaleOf("vit_depth3_gap_registers")["fc_norm.weight"]);
        Assert.Equal(1.0, scaleOf("eva02_depth3")["fc_norm.weight"]);
        Assert.Equal(0.421875, scaleOf("vit_depth3_dinov2_reg")["blocks.0.ls1.gamma"]);
        Assert.Equal(0.0, decayOf("vit_depth3_dinov2_reg")["blocks.0.ls1.gamma"]);
    }

    [Theory]
    [InlineData("vit_depth3_gap_registers")]
    [InlineData("vit_depth3_clip")]
    [InlineData("vit_depth3_siglip_map")]
    [InlineData("vit_depth3_dinov2_reg")]
    [InlineData("eva02_depth3")]
    public void The_families_parameter_names_get_timms_groups(string name)
    {
        // ParameterGroups works by name and kind, so timm's own names and shapes stand in for the families the generator
        // does not emit yet (CLIP's norm_pre, SigLIP's attn_pool, DINOv2's ls1/ls2, EVA-02's q_proj/fc1_g/mlp.norm).
        var reference = Model(name);
        using var model = new NamedParameters(reference.Groups.SelectMany(g => g.Params));
        Assert.Equal(Expected(reference), Actual(model));
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
