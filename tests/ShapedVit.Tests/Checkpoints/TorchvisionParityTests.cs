using ShapedVit.Testing;
using ShapedVit.Checkpoints;
using TorchSharp;
using Xunit.Abstractions;
using static ShapedVit.Tests.Checkpoints.CheckpointTestHelpers;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Checkpoints;

/// <summary>
/// The generated models, loaded with torchvision's weights (as torchvision, timm and Hugging Face name them), reproduce
/// torchvision's logits and class-token features (Fixtures/torchvision, made by torchvision 0.14.1).
/// </summary>
public class TorchvisionParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "torchvision", name);

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var fixture in new[] { "vit_micro", "vit_prelogits" })
            foreach (var naming in new[] { "torchvision", "timm", "huggingface" })
                cases.Add(fixture, naming);
        return cases;
    }

    [Theory, MemberData(nameof(Cases))]
    public void Logits_and_features_match_torchvision(string fixture, string naming)
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var expected = Safetensors.ReadAll(Fixture(fixture + ".expected.safetensors"));
        string path = naming == "torchvision" ? Fixture(fixture + ".safetensors") : Renamed(fixture, naming, folder);

        var (model, vit) = Create(fixture);
        using var _ = model;
        var before = model.state_dict()["blocks.0.attn.qkv.weight"].clone();
        var result = model.LoadSafetensors(path);
        Assert.Equal(naming switch { "timm" => CheckpointNaming.Timm, "huggingface" => CheckpointNaming.HuggingFace, _ => CheckpointNaming.Torchvision }, result.Naming);
        Assert.False(BitEqual(before, model.state_dict()["blocks.0.attn.qkv.weight"])); // the load did something
        model.eval();

        var input = expected.Tensors["input"];
        Tensor logits, features;
        using (torch.no_grad())
        {
            logits = model.forward(input);
            features = vit.ForwardFeatures(input).select(1, 0);
        }
        double logitsError = MaxAbsDiff(expected.Tensors["logits"], logits);
        double featuresError = MaxAbsDiff(expected.Tensors["features"], features);
        output.WriteLine($"{fixture} ({naming} naming): max |logits error| = {logitsError:E2}, max |features error| = {featuresError:E2}");
        Assert.InRange(logitsError, 0, Tolerance);
        Assert.InRange(featuresError, 0, Tolerance);
        // A tolerance that random weights could meet would prove nothing: the outputs are far larger than it.
        Assert.True(expected.Tensors["logits"].abs().max().item<float>() > 100 * Tolerance);
    }

    [Theory]
    [InlineData("vit_micro")]
    [InlineData("vit_prelogits")]
    public void A_Hugging_Face_ViTModel_checkpoint_with_a_wrapper_prefix_loads_into_the_headless_model(string fixture)
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var expected = Safetensors.ReadAll(Fixture(fixture + ".expected.safetensors"));
        using var torchvision = Safetensors.ReadAll(Fixture(fixture + ".safetensors"));
        var hf = ToHuggingFace(ToTimm(torchvision.Tensors), withVitPrefix: false)
            .Where(p => !p.Key.StartsWith("classifier.", StringComparison.Ordinal))      // ViTModel has no classifier
            .ToDictionary(p => "module." + p.Key, p => p.Value);                         // saved from DistributedDataParallel
        string path = folder.File("vitmodel.safetensors");
        Safetensors.Write(path, hf);

        var (model, vit) = fixture == "vit_micro" ? Wrap(new MicroBackbone(seed: 1)) : Wrap(new PrelogitsBackbone(seed: 1));
        using var _ = model;
        Assert.Equal(CheckpointNaming.HuggingFace, model.LoadSafetensors(path).Naming);
        model.eval();
        var input = expected.Tensors["input"];
        using var noGrad = torch.no_grad();
        double featuresError = MaxAbsDiff(expected.Tensors["features"], vit.ForwardFeatures(input).select(1, 0));
        // The headless model returns the pooled features (or the pooler's pre-logits); the fixture's head turns them into its logits.
        var pooled = model.forward(input);
        var logits = torch.nn.functional.linear(pooled, torchvision.Tensors["heads.head.weight"], torchvision.Tensors["heads.head.bias"]);
        double logitsError = MaxAbsDiff(expected.Tensors["logits"], logits);
        output.WriteLine($"{fixture} (Hugging Face ViTModel, module. prefix): max |features error| = {featuresError:E2}, max |logits error via fixture head| = {logitsError:E2}");
        Assert.InRange(featuresError, 0, Tolerance);
        Assert.InRange(logitsError, 0, Tolerance);
    }

    private static (nn.Module<Tensor, Tensor> Model, IVisionTransformer Vit) Create(string fixture) =>
        fixture == "vit_micro" ? Wrap(new TorchvisionMicro(seed: 1)) : Wrap(new TorchvisionPrelogits(seed: 1));

    private static (nn.Module<Tensor, Tensor>, IVisionTransformer) Wrap<T>(T model) where T : nn.Module<Tensor, Tensor>, IVisionTransformer => (model, model);

    private static string Renamed(string fixture, string naming, TempDirectory folder)
    {
        using var torchvision = Safetensors.ReadAll(Fixture(fixture + ".safetensors"));
        var timm = ToTimm(torchvision.Tensors);
        var renamed = naming == "timm" ? timm : ToHuggingFace(timm, withVitPrefix: true);
        string path = folder.File($"{fixture}.{naming}.safetensors");
        Safetensors.Write(path, renamed);
        return path;
    }

    // The renaming below is written out here, independently of the library's CheckpointKeys, so a mistake in one is not
    // mirrored by the other.

    private static Dictionary<string, Tensor> ToTimm(IReadOnlyDictionary<string, Tensor> torchvision)
    {
        var timm = new Dictionary<string, Tensor>();
        foreach (var (key, tensor) in torchvision)
        {
            string name = key switch
            {
                "class_token" => "cls_token",
                "encoder.pos_embedding" => "pos_embed",
                _ => key.Replace("conv_proj.", "patch_embed.proj.")
                        .Replace("encoder.layers.encoder_layer_", "blocks.")
                        .Replace(".ln_1.", ".norm1.").Replace(".ln_2.", ".norm2.")
                        .Replace(".self_attention.in_proj_weight", ".attn.qkv.weight")
                        .Replace(".self_attention.in_proj_bias", ".attn.qkv.bias")
                        .Replace(".self_attention.out_proj.", ".attn.proj.")
                        .Replace(".mlp.0.", ".mlp.fc1.").Replace(".mlp.3.", ".mlp.fc2.")
                        .Replace("encoder.ln.", "norm.")
                        .Replace("heads.pre_logits.", "pre_logits.fc.")
                        .Replace("heads.head.", "head."),
            };
            timm.Add(name, tensor);
        }
        return timm;
    }

    private static Dictionary<string, Tensor> ToHuggingFace(Dictionary<string, Tensor> timm, bool withVitPrefix)
    {
        string vit = withVitPrefix ? "vit." : "";
        var hf = new Dictionary<string, Tensor>();
        foreach (var (key, tensor) in timm)
        {
            var parts = key.Split('.');
            if (parts[0] == "blocks")
            {
                string layer = $"{vit}encoder.layer.{parts[1]}.";
                string leaf = parts[^1];
                switch (string.Join('.', parts[2..^1]))
                {
                    case "norm1": hf[layer + "layernorm_before." + leaf] = tensor; break;
                    case "norm2": hf[layer + "layernorm_after." + leaf] = tensor; break;
                    case "attn.proj": hf[layer + "attention.output.dense." + leaf] = tensor; break;
                    case "mlp.fc1": hf[layer + "intermediate.dense." + leaf] = tensor; break;
                    case "mlp.fc2": hf[layer + "output.dense." + leaf] = tensor; break;
                    case "attn.qkv":
                        var chunks = tensor.chunk(3, 0);
                        hf[layer + "attention.attention.query." + leaf] = chunks[0];
                        hf[layer + "attention.attention.key." + leaf] = chunks[1];
                        hf[layer + "attention.attention.value." + leaf] = chunks[2];
                        break;
                    default: throw new InvalidOperationException(key);
                }
                continue;
            }
            string name = key switch
            {
                "cls_token" => $"{vit}embeddings.cls_token",
                "pos_embed" => $"{vit}embeddings.position_embeddings",
                "patch_embed.proj.weight" => $"{vit}embeddings.patch_embeddings.projection.weight",
                "patch_embed.proj.bias" => $"{vit}embeddings.patch_embeddings.projection.bias",
                "norm.weight" => $"{vit}layernorm.weight",
                "norm.bias" => $"{vit}layernorm.bias",
                "pre_logits.fc.weight" => $"{vit}pooler.dense.weight",
                "pre_logits.fc.bias" => $"{vit}pooler.dense.bias",
                "head.weight" => "classifier.weight",
                "head.bias" => "classifier.bias",
                _ => throw new InvalidOperationException(key),
            };
            hf[name] = tensor;
        }
        return hf;
    }
}
