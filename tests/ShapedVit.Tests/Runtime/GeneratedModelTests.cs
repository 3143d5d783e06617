using ShapedVit.Tests.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Runtime;

public class GeneratedModelTests
{
    public static TheoryData<string> ModelNames => new() { nameof(SmallVit), nameof(EveryOptionVit), nameof(HeadlessVit), nameof(Outer.Nested.NestedVit),
                                                                nameof(PatchDropMeanVit), nameof(PatchDropPrefixVit) };

    private static (nn.Module<Tensor, Tensor> Model, IVisionTransformer Vit, long ParameterCount) Create(string name) => name switch
    {
        nameof(SmallVit) => Wrap(new SmallVit(seed: 1), SmallVit.ParameterCount),
        nameof(EveryOptionVit) => Wrap(new EveryOptionVit(seed: 1), EveryOptionVit.ParameterCount),
        nameof(HeadlessVit) => Wrap(new HeadlessVit(seed: 1), HeadlessVit.ParameterCount),
        nameof(Outer.Nested.NestedVit) => Wrap(new Outer.Nested.NestedVit(seed: 1), Outer.Nested.NestedVit.ParameterCount),
        nameof(PatchDropMeanVit) => Wrap(new PatchDropMeanVit(seed: 1), PatchDropMeanVit.ParameterCount),
        nameof(PatchDropPrefixVit) => Wrap(new PatchDropPrefixVit(seed: 1), PatchDropPrefixVit.ParameterCount),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static (nn.Module<Tensor, Tensor>, IVisionTransformer, long) Wrap<T>(T model, long count) where T : nn.Module<Tensor, Tensor>, IVisionTransformer => (model, model, count);

    [Theory, MemberData(nameof(ModelNames))]
    public void ParameterCount_constant_equals_the_modules_real_parameter_count(string name)
    {
        var (model, vit, declared) = Create(name);
        using var _ = model;
        long actual = model.parameters().Sum(p => p.numel());
        Assert.Equal(actual, declared);
        Assert.Equal(actual, vit.Geometry.ParameterCount);
    }

    [Theory, MemberData(nameof(ModelNames))]
    public void Forward_produces_the_proven_shapes(string name)
    {
        var (model, vit, _) = Create(name);
        using var __ = model;
        model.eval();
        var spec = vit.Spec;
        using var scope = NewDisposeScope();
        var images = torch.randn(2, spec.Channels, spec.ImageHeight, spec.ImageWidth);
        var output = model.forward(images);
        long width = spec.NumClasses > 0 ? spec.NumClasses : vit.Geometry.HeadInputDim;
        Assert.Equal(new long[] { 2, width }, output.shape);
        var features = vit.ForwardFeatures(images);
        Assert.Equal(new long[] { 2, vit.Geometry.SequenceLength, spec.EmbedDim }, features.shape);
        using var intermediates = vit.ForwardWithIntermediates(images, attention: true);
        Assert.Equal(spec.Depth, intermediates.HiddenStates.Count);
        Assert.Equal(new long[] { 2, spec.Heads, vit.Geometry.SequenceLength, vit.Geometry.SequenceLength }, intermediates.Attentions[0].shape);
        if (intermediates.Logits is not null) Assert.True(torch.allclose(intermediates.Logits, output, 1e-5, 1e-5));
    }

    [Fact]
    public void State_dict_keys_follow_timm()
    {
        using var model = new EveryOptionVit(seed: 3);
        var keys = model.state_dict().Keys.ToHashSet();
        string[] expected =
        {
            "patch_embed.proj.weight", "patch_embed.proj.bias", "cls_token", "reg_token", "pos_embed",
            "blocks.0.norm1.weight", "blocks.0.norm1.bias", "blocks.0.attn.qkv.weight", "blocks.0.attn.proj.weight", "blocks.0.attn.proj.bias",
            "blocks.0.ls1.gamma", "blocks.0.norm2.weight", "blocks.0.mlp.fc1.weight", "blocks.0.mlp.fc1.bias", "blocks.0.mlp.fc2.weight",
            "blocks.0.mlp.fc2.bias", "blocks.0.ls2.gamma", "blocks.2.ls2.gamma", "fc_norm.weight", "fc_norm.bias",
            "pre_logits.fc.weight", "pre_logits.fc.bias", "head.weight", "head.bias",
        };
        foreach (var key in expected) Assert.Contains(key, keys);
        Assert.DoesNotContain("blocks.0.attn.qkv.bias", keys); // QkvBias = false
        Assert.DoesNotContain("norm.weight", keys);            // mean pooling uses fc_norm
        // 11 outside the blocks + 13 per block (norm1 2, qkv 1, proj 2, ls1 1, norm2 2, fc1 2, fc2 2, ls2 1) x 3 blocks.
        Assert.Equal(11 + 13 * 3, keys.Count);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights_and_another_seed_does_not()
    {
        using var a = new SmallVit(seed: 42);
        using var b = new SmallVit(seed: 42);
        using var c = new SmallVit(seed: 43);
        var pa = a.state_dict(); var pb = b.state_dict(); var pc = c.state_dict();
        foreach (var key in pa.Keys) Assert.True(pa[key].allclose(pb[key], 0, 0), key);
        Assert.False(pa["blocks.0.attn.qkv.weight"].allclose(pc["blocks.0.attn.qkv.weight"], 0, 0));
        Assert.False(pa["pos_embed"].allclose(pc["pos_embed"], 0, 0));
    }

    [Fact]
    public void Initialisation_follows_timm()
    {
        using var model = new SmallVit(seed: 7);
        var state = model.state_dict();
        var qkv = state["blocks.0.attn.qkv.weight"];
        Assert.InRange(qkv.std().item<float>(), 0.015f, 0.02f);           // truncated normal, std 0.02 before truncation at 2 std
        Assert.True(qkv.abs().max().item<float>() <= 0.04f + 1e-6f);
        Assert.Equal(0f, state["blocks.0.attn.qkv.bias"].abs().sum().item<float>());
        Assert.Equal(64f, state["blocks.0.norm1.weight"].sum().item<float>());
        Assert.True(state["cls_token"].abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Dropout_and_drop_path_act_only_in_training()
    {
        using var model = new Outer.Nested.NestedVit(seed: 5);
        using var scope = NewDisposeScope();
        var images = torch.randn(4, 3, 16, 16, generator: new Generator(9));
        model.eval();
        var first = model.forward(images);
        var second = model.forward(images);
        Assert.True(first.allclose(second, 0, 0));
        model.train();
        var trainingOutput = model.forward(images);
        Assert.False(trainingOutput.allclose(first));
    }
}
