using System.Text.Json;
using ShapedVit.Checkpoints;
using TorchSharp;
using Xunit.Abstractions;
using static ShapedVit.Tests.Checkpoints.CheckpointTestHelpers;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Checkpoints;

/// <summary>
/// Hugging Face transformers' namings of DINOv2, DeiT, CLIP and SigLIP (tests/Fixtures/hf, made from timm's family fixtures
/// by transformers' own conversion tables and checked by transformers' own model code) convert to exactly timm's tensors.
/// </summary>
public class HuggingFaceNamingTests
{
    public static string Hf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf", name);
    public static string TimmFamily(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "timm", "families", name);

    public static TheoryData<string, CheckpointNaming> Cases() => new()
    {
        { "dinov2", CheckpointNaming.HuggingFaceDinov2 },
        { "dinov2_reg", CheckpointNaming.HuggingFaceDinov2 },
        { "deit_distilled", CheckpointNaming.HuggingFaceDeit },
        { "clip", CheckpointNaming.HuggingFaceClip },
        { "clip_quickgelu", CheckpointNaming.HuggingFaceClip },
        { "siglip_map", CheckpointNaming.HuggingFaceSiglip },
        { "siglip_gap", CheckpointNaming.HuggingFaceSiglip },
    };

    /// <summary>timm keys the transformers class has no tensor for: Dinov2Model and SiglipVisionModel have no classifier.</summary>
    private static bool NoCounterpart(string fixture, string timmKey) =>
        fixture is "dinov2" or "dinov2_reg" or "siglip_map" && timmKey.StartsWith("head.", StringComparison.Ordinal);

    private static string[] ExpectedIgnored(string fixture) => fixture switch
    {
        "dinov2" or "dinov2_reg" => ["embeddings.mask_token"],
        "siglip_gap" =>
        [
            "vision_model.head.attention.in_proj_bias", "vision_model.head.attention.in_proj_weight",
            "vision_model.head.attention.out_proj.bias", "vision_model.head.attention.out_proj.weight",
            "vision_model.head.layernorm.bias", "vision_model.head.layernorm.weight",
            "vision_model.head.mlp.fc1.bias", "vision_model.head.mlp.fc1.weight",
            "vision_model.head.mlp.fc2.bias", "vision_model.head.mlp.fc2.weight", "vision_model.head.probe",
        ],
        _ => [],
    };

    [Theory, MemberData(nameof(Cases))]
    public void The_transformers_named_file_converts_bitwise_to_timm_s_tensors(string fixture, CheckpointNaming naming)
    {
        using var scope = NewDisposeScope();
        using var hf = Safetensors.ReadAll(Hf($"{fixture}.hf.safetensors"));
        using var timm = Safetensors.ReadAll(TimmFamily($"{fixture}.weights.safetensors"));
        var converted = CheckpointKeys.ToTimm(hf.Tensors);

        Assert.Equal(naming, converted.Naming);
        Assert.Equal(timm.Tensors.Keys.Where(k => !NoCounterpart(fixture, k)).Order(StringComparer.Ordinal),
                     converted.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, tensor) in converted.Tensors)
        {
            if (fixture.StartsWith("clip", StringComparison.Ordinal) && key == "head.bias")
            {
                // CLIP's visual_projection has no bias: the head gets zeros, as timm loads OpenAI's projection.
                Assert.Equal(0, tensor.abs().max().item<float>());
                Assert.Equal("none: visual_projection has no bias (zeros, as timm loads it)", converted.SourceKeys[key]);
                continue;
            }
            Assert.True(BitEqual(timm.Tensors[key], tensor), $"{fixture}: {key} (from {converted.SourceKeys[key]}) differs from timm's");
        }
        Assert.Equal(ExpectedIgnored(fixture), converted.IgnoredTensors.Select(i => i[..i.IndexOf(' ')]).Order(StringComparer.Ordinal));
    }

    [Theory, MemberData(nameof(Cases))]
    public void The_config_json_model_type_gives_the_naming_the_keys_show(string fixture, CheckpointNaming naming)
    {
        using var scope = NewDisposeScope();
        using var config = JsonDocument.Parse(System.IO.File.ReadAllText(Hf($"{fixture}.config.json")));
        var modelType = config.RootElement.GetProperty("model_type").GetString();
        Assert.Equal(naming, CheckpointKeys.FromModelType(modelType));
        using var hf = Safetensors.ReadAll(Hf($"{fixture}.hf.safetensors"));
        var byConfig = CheckpointKeys.ToTimm(hf.Tensors, CheckpointKeys.FromModelType(modelType));
        var byKeys = CheckpointKeys.ToTimm(hf.Tensors);
        Assert.Equal(byKeys.Tensors.Keys.Order(StringComparer.Ordinal), byConfig.Tensors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("vit", CheckpointNaming.HuggingFace)]
    [InlineData("deit", CheckpointNaming.HuggingFaceDeit)]
    [InlineData("dinov2", CheckpointNaming.HuggingFaceDinov2)]
    [InlineData("dinov2_with_registers", CheckpointNaming.HuggingFaceDinov2)]
    [InlineData("clip", CheckpointNaming.HuggingFaceClip)]
    [InlineData("clip_vision_model", CheckpointNaming.HuggingFaceClip)]
    [InlineData("siglip", CheckpointNaming.HuggingFaceSiglip)]
    [InlineData("siglip_vision_model", CheckpointNaming.HuggingFaceSiglip)]
    [InlineData("swin", null)]
    [InlineData(null, null)]
    public void A_model_type_maps_to_its_naming(string? modelType, CheckpointNaming? naming) =>
        Assert.Equal(naming, CheckpointKeys.FromModelType(modelType));

    [Theory]
    // DINOv2 (and Dinov2ForImageClassification's dinov2. prefix)
    [InlineData("embeddings.register_tokens", "reg_token", "embeddings.mask_token")]
    [InlineData("dinov2.encoder.layer.3.norm1.bias", "blocks.3.norm1.bias", "embeddings.mask_token")]
    [InlineData("encoder.layer.3.layer_scale1.lambda1", "blocks.3.ls1.gamma", "embeddings.mask_token")]
    [InlineData("encoder.layer.3.layer_scale2.lambda1", "blocks.3.ls2.gamma", "embeddings.mask_token")]
    [InlineData("encoder.layer.3.mlp.fc2.weight", "blocks.3.mlp.fc2.weight", "embeddings.mask_token")]
    [InlineData("encoder.layer.3.mlp.weights_in.weight", "blocks.3.mlp.fc1.weight", "embeddings.mask_token")]
    [InlineData("encoder.layer.3.mlp.weights_out.bias", "blocks.3.mlp.fc2.bias", "embeddings.mask_token")]
    [InlineData("encoder.layer.3.attention.output.dense.weight", "blocks.3.attn.proj.weight", "embeddings.mask_token")]
    [InlineData("layernorm.weight", "norm.weight", "embeddings.mask_token")]
    // DeiT
    [InlineData("deit.embeddings.distillation_token", "dist_token", "deit.embeddings.cls_token")]
    [InlineData("deit.encoder.layer.1.layernorm_before.weight", "blocks.1.norm1.weight", "deit.embeddings.cls_token")]
    [InlineData("deit.pooler.dense.bias", "pre_logits.fc.bias", "deit.embeddings.cls_token")]
    [InlineData("cls_classifier.weight", "head.weight", "deit.embeddings.cls_token")]
    [InlineData("distillation_classifier.bias", "head_dist.bias", "deit.embeddings.cls_token")]
    // CLIP
    [InlineData("vision_model.pre_layrnorm.bias", "norm_pre.bias", "vision_model.embeddings.class_embedding")]
    [InlineData("vision_model.encoder.layers.5.layer_norm2.weight", "blocks.5.norm2.weight", "vision_model.embeddings.class_embedding")]
    [InlineData("vision_model.encoder.layers.5.self_attn.out_proj.bias", "blocks.5.attn.proj.bias", "vision_model.embeddings.class_embedding")]
    [InlineData("vision_model.encoder.layers.5.mlp.fc1.weight", "blocks.5.mlp.fc1.weight", "vision_model.embeddings.class_embedding")]
    [InlineData("vision_model.post_layernorm.weight", "norm.weight", "vision_model.embeddings.class_embedding")]
    [InlineData("visual_projection.weight", "head.weight", "vision_model.embeddings.class_embedding")]
    // SigLIP
    [InlineData("vision_model.embeddings.patch_embedding.bias", "patch_embed.proj.bias", "vision_model.head.probe")]
    [InlineData("vision_model.head.probe", "attn_pool.latent", "vision_model.head.probe")]
    [InlineData("vision_model.head.attention.out_proj.weight", "attn_pool.proj.weight", "vision_model.head.probe")]
    [InlineData("vision_model.head.layernorm.bias", "attn_pool.norm.bias", "vision_model.head.probe")]
    [InlineData("vision_model.head.mlp.fc2.weight", "attn_pool.mlp.fc2.weight", "vision_model.head.probe")]
    public void Family_keys_map_to_timm(string huggingFace, string timm, string marker)
    {
        using var scope = NewDisposeScope();
        var renamed = CheckpointKeys.ToTimm(new Dictionary<string, Tensor> { [huggingFace] = torch.zeros(2, 2), [marker] = torch.zeros(2) });
        Assert.Contains(timm, renamed.Tensors.Keys);
        Assert.Equal(huggingFace, renamed.SourceKeys[timm]);
    }

    [Fact]
    public void DINOv2_with_registers_moves_the_class_token_s_position_row_into_the_class_token()
    {
        using var scope = NewDisposeScope();
        var renamed = CheckpointKeys.ToTimm(new Dictionary<string, Tensor>
        {
            ["embeddings.cls_token"] = torch.tensor(new float[] { 1, 2 }).reshape(1, 1, 2),
            ["embeddings.position_embeddings"] = torch.tensor(new float[] { 10, 20, 3, 4, 5, 6 }).reshape(1, 3, 2),
            ["embeddings.register_tokens"] = torch.zeros(1, 4, 2),
        });
        Assert.Equal(CheckpointNaming.HuggingFaceDinov2, renamed.Naming);
        Assert.Equal(new float[] { 11, 22 }, renamed.Tensors["cls_token"].data<float>().ToArray());
        Assert.Equal(new long[] { 1, 2, 2 }, renamed.Tensors["pos_embed"].shape);
        Assert.Equal(new float[] { 3, 4, 5, 6 }, renamed.Tensors["pos_embed"].data<float>().ToArray());
        Assert.Equal("embeddings.cls_token + embeddings.position_embeddings[:, 0]", renamed.SourceKeys["cls_token"]);
        Assert.Equal("embeddings.position_embeddings[:, 1:]", renamed.SourceKeys["pos_embed"]);
    }

    [Fact]
    public void A_CLIPModel_s_text_tower_and_saved_position_ids_are_set_aside_but_other_position_ids_are_not()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["vision_model.embeddings.class_embedding"] = torch.zeros(4),
            ["vision_model.embeddings.position_ids"] = torch.arange(5L).unsqueeze(0),
            ["text_model.embeddings.position_ids"] = torch.arange(7L).unsqueeze(0),
            ["text_model.encoder.layers.0.mlp.fc1.weight"] = torch.zeros(8, 4),
            ["text_projection.weight"] = torch.zeros(3, 4),
            ["logit_scale"] = torch.zeros(1),
        };
        var renamed = CheckpointKeys.ToTimm(tensors);
        Assert.Equal(CheckpointNaming.HuggingFaceClip, renamed.Naming);
        Assert.Equal(new[] { "cls_token" }, renamed.Tensors.Keys);
        Assert.Equal(new long[] { 1, 1, 4 }, renamed.Tensors["cls_token"].shape);
        Assert.Equal(5, renamed.IgnoredTensors.Count);
        Assert.Contains("vision_model.embeddings.position_ids [1,5]: position_ids, saved by transformers before 4.31, are 0..N-1, the order the position embedding already has",
                        renamed.IgnoredTensors);

        tensors["vision_model.embeddings.position_ids"] = torch.tensor(new long[] { 0, 2, 1, 3, 4 }).unsqueeze(0);
        var shuffled = CheckpointKeys.ToTimm(tensors);
        Assert.Contains("vision_model.embeddings.position_ids", shuffled.Tensors.Keys); // strict loading reports it as unexpected
    }

    [Fact]
    public void SigLIP_s_attention_pooling_in_proj_splits_into_timm_s_q_and_kv()
    {
        using var scope = NewDisposeScope();
        var inProj = torch.arange(6 * 2, dtype: ScalarType.Float32).reshape(6, 2);
        var renamed = CheckpointKeys.ToTimm(new Dictionary<string, Tensor> { ["vision_model.head.attention.in_proj_weight"] = inProj, ["vision_model.head.probe"] = torch.zeros(1, 1, 2) });
        Assert.Equal(new float[] { 0, 1, 2, 3 }, renamed.Tensors["attn_pool.q.weight"].data<float>().ToArray());
        Assert.Equal(new float[] { 4, 5, 6, 7, 8, 9, 10, 11 }, renamed.Tensors["attn_pool.kv.weight"].data<float>().ToArray());
        Assert.Equal("vision_model.head.attention.in_proj_weight[2:]", renamed.SourceKeys["attn_pool.kv.weight"]);
    }

    [Fact]
    public void The_bitwise_oracle_catches_a_swapped_query_and_key_a_transposed_projection_and_a_misordered_in_proj()
    {
        using var scope = NewDisposeScope();
        using var timm = Safetensors.ReadAll(TimmFamily("dinov2.weights.safetensors"));
        using var hf = Safetensors.ReadAll(Hf("dinov2.hf.safetensors"));

        var swapped = new Dictionary<string, Tensor>(hf.Tensors)
        {
            ["encoder.layer.0.attention.attention.query.weight"] = hf.Tensors["encoder.layer.0.attention.attention.key.weight"],
            ["encoder.layer.0.attention.attention.key.weight"] = hf.Tensors["encoder.layer.0.attention.attention.query.weight"],
        };
        Assert.False(BitEqual(timm.Tensors["blocks.0.attn.qkv.weight"], CheckpointKeys.ToTimm(swapped).Tensors["blocks.0.attn.qkv.weight"]));

        var transposed = new Dictionary<string, Tensor>(hf.Tensors)
        {
            ["encoder.layer.0.attention.output.dense.weight"] = hf.Tensors["encoder.layer.0.attention.output.dense.weight"].t(),
        };
        Assert.False(BitEqual(timm.Tensors["blocks.0.attn.proj.weight"], CheckpointKeys.ToTimm(transposed).Tensors["blocks.0.attn.proj.weight"]));

        using var siglipTimm = Safetensors.ReadAll(TimmFamily("siglip_map.weights.safetensors"));
        using var siglip = Safetensors.ReadAll(Hf("siglip_map.hf.safetensors"));
        var inProj = siglip.Tensors["vision_model.head.attention.in_proj_weight"];
        var (q, k, v) = (inProj.narrow(0, 0, 48), inProj.narrow(0, 48, 48), inProj.narrow(0, 96, 48));
        var misordered = new Dictionary<string, Tensor>(siglip.Tensors) { ["vision_model.head.attention.in_proj_weight"] = torch.cat(new[] { k, q, v }, 0) };
        var converted = CheckpointKeys.ToTimm(misordered);
        Assert.False(BitEqual(siglipTimm.Tensors["attn_pool.q.weight"], converted.Tensors["attn_pool.q.weight"]));
        Assert.False(BitEqual(siglipTimm.Tensors["attn_pool.kv.weight"], converted.Tensors["attn_pool.kv.weight"]));
    }

    [Fact]
    public void Mixed_namings_are_one_line_that_names_a_key_of_each()
    {
        using var scope = NewDisposeScope();
        var timmAndDinov2 = new Dictionary<string, Tensor>
        {
            ["encoder.layer.0.norm1.weight"] = torch.zeros(1), ["embeddings.mask_token"] = torch.zeros(1), ["blocks.0.norm1.weight"] = torch.zeros(1),
        };
        var error = Assert.Throws<CheckpointException>(() => CheckpointKeys.ToTimm(timmAndDinov2, path: "mixed.safetensors"));
        Assert.Equal(CheckpointRule.UnknownNaming, error.Rule);
        Assert.Equal("mixed.safetensors: [UnknownNaming] the keys mix namings (timm, Hugging Face DINOv2): " +
                     "'blocks.0.norm1.weight' is timm's, 'embeddings.mask_token' is Hugging Face DINOv2's.", error.Message);

        var clipAndSiglip = new Dictionary<string, Tensor>
        {
            ["vision_model.head.probe"] = torch.zeros(1), ["vision_model.embeddings.class_embedding"] = torch.zeros(1),
        };
        error = Assert.Throws<CheckpointException>(() => CheckpointKeys.ToTimm(clipAndSiglip, path: "towers.safetensors"));
        Assert.Equal("towers.safetensors: [UnknownNaming] the keys mix namings (Hugging Face CLIP, Hugging Face SigLIP): " +
                     "'vision_model.embeddings.class_embedding' is Hugging Face CLIP's, 'vision_model.head.probe' is Hugging Face SigLIP's.", error.Message);

        var deitAndDinov2 = new Dictionary<string, Tensor> { ["deit.embeddings.cls_token"] = torch.zeros(1), ["dinov2.embeddings.cls_token"] = torch.zeros(1) };
        error = Assert.Throws<CheckpointException>(() => CheckpointKeys.ToTimm(deitAndDinov2, path: "two.safetensors"));
        Assert.Equal("two.safetensors: [UnknownNaming] the keys mix namings (Hugging Face DeiT, Hugging Face DINOv2): " +
                     "'deit.embeddings.cls_token' is Hugging Face DeiT's, 'dinov2.embeddings.cls_token' is Hugging Face DINOv2's.", error.Message);

        // A hostile key is shown bounded and escaped: the message stays one short line.
        var hostile = new Dictionary<string, Tensor>
        {
            ["embeddings.mask_token"] = torch.zeros(1), ["blocks.0." + new string('x', 5000) + "\n[KeyMismatch] fake"] = torch.zeros(1),
        };
        error = Assert.Throws<CheckpointException>(() => CheckpointKeys.ToTimm(hostile, path: "hostile.safetensors"));
        Assert.DoesNotContain('\n', error.Message);
        Assert.InRange(error.Message.Length, 1, 400);
    }

    [Fact]
    public void CLIPForImageClassification_s_classifier_is_refused_in_one_line()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor> { ["vision_model.embeddings.class_embedding"] = torch.zeros(4), ["classifier.weight"] = torch.zeros(3, 4) };
        var error = Assert.Throws<CheckpointException>(() => CheckpointKeys.ToTimm(tensors, path: "clip-classifier.safetensors"));
        Assert.Equal("clip-classifier.safetensors: tensor 'classifier.weight': [KeyMismatch] CLIPForImageClassification classifies the mean of " +
                     "the patch tokens without the final norm, which timm's CLIP models do not compute; load its vision tower alone " +
                     "(CLIPVisionModel keys), or remove 'classifier.*' and load with Classifier = ClassifierLoading.Reset; nothing was loaded.", error.Message);
    }

    [Fact]
    public void A_truncated_transformers_file_lists_the_timm_keys_it_lacks_and_the_keys_it_could_not_use()
    {
        using var scope = NewDisposeScope();
        using var hf = Safetensors.ReadAll(Hf("dinov2.hf.safetensors"));
        var truncated = new Dictionary<string, Tensor>(hf.Tensors);
        truncated.Remove("encoder.layer.1.attention.attention.key.weight");
        truncated.Remove("layernorm.bias");
        using var model = new HfDinov2(seed: 1);
        var before = Snapshot(model);
        var error = Assert.Throws<CheckpointException>(() => model.LoadTensors(truncated, "dinov2.hf.safetensors"));
        Assert.Equal(
            "dinov2.hf.safetensors: [KeyMismatch] the checkpoint does not fit the model; nothing was loaded.\n" +
            "  missing (2):\n    blocks.1.attn.qkv.weight [144,48]\n    norm.bias [48]\n" +
            "  unexpected (2):\n    encoder.layer.1.attention.attention.query.weight [48,48]\n    encoder.layer.1.attention.attention.value.weight [48,48]",
            error.Message);
        AssertUnchanged(model, before);
    }
}

/// <summary>
/// The transformers-named files load into the declared tiny models and reproduce timm's references and transformers' own
/// outputs within 1e-5. They need the families' generated models (the embed and blocks work of #24).
/// </summary>
public class HuggingFaceParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Cases() => new()
    {
        "dinov2", "dinov2_reg", "deit_distilled", "clip", "clip_quickgelu", "siglip_gap",
        "siglip_map",
    };

    private static (nn.Module<Tensor, Tensor>, IVisionTransformer) Create(string fixture) => fixture switch
    {
        "dinov2" => Wrap(new HfDinov2(seed: 1)),
        "dinov2_reg" => Wrap(new HfDinov2Registers(seed: 1)),
        "deit_distilled" => Wrap(new HfDeitDistilled(seed: 1)),
        "clip" => Wrap(new HfClip(seed: 1)),
        "clip_quickgelu" => Wrap(new HfClipQuickGelu(seed: 1)),
        "siglip_gap" => Wrap(new HfSiglipGap(seed: 1)),
        "siglip_map" => Wrap(new HfSiglipMap(seed: 1)),
        _ => throw new ArgumentException(fixture),
    };

    private static (nn.Module<Tensor, Tensor>, IVisionTransformer) Wrap<T>(T model) where T : nn.Module<Tensor, Tensor>, IVisionTransformer => (model, model);

    [Theory, MemberData(nameof(Cases))]
    public void The_transformers_named_file_loads_and_matches_timm_and_transformers(string fixture)
    {
        using var scope = NewDisposeScope();
        using var reference = Safetensors.ReadAll(HuggingFaceNamingTests.TimmFamily($"{fixture}.reference.safetensors"));
        using var hf = Safetensors.ReadAll(HuggingFaceNamingTests.Hf($"{fixture}.hf-reference.safetensors"));
        var (model, vit) = Create(fixture);
        using var _ = model;
        model.LoadSafetensors(HuggingFaceNamingTests.Hf($"{fixture}.hf.safetensors"));
        model.eval();
        using var noGrad = torch.no_grad();
        var input = reference.Tensors["ref.input"];
        var features = vit.ForwardFeatures(input);
        var preLogits = vit.ForwardHead(features, preLogits: true);
        var logits = model.forward(input);

        var errors = new List<(string What, double Error)>
        {
            ("features vs timm", MaxAbsDiff(reference.Tensors["ref.features"], features)),
            ("pre-logits vs timm", MaxAbsDiff(reference.Tensors["ref.pre_logits"], preLogits)),
        };
        switch (fixture)
        {
            case "dinov2" or "dinov2_reg" or "siglip_map": // headless: the forward pass is the pooled features
                errors.Add(("forward vs transformers' pooler_output", MaxAbsDiff(hf.Tensors["hf.pooler_output"], logits)));
                errors.Add(("features vs transformers' last_hidden_state", MaxAbsDiff(hf.Tensors["hf.last_hidden_state"], features)));
                break;
            case "clip" or "clip_quickgelu": // the projection without timm's head bias
                errors.Add(("logits vs transformers' image_embeds", MaxAbsDiff(hf.Tensors["hf.image_embeds"], logits)));
                break;
            default:
                errors.Add(("logits vs timm", MaxAbsDiff(reference.Tensors["ref.logits"], logits)));
                errors.Add(("logits vs transformers", MaxAbsDiff(hf.Tensors["hf.logits"], logits)));
                break;
        }
        foreach (var (what, error) in errors)
        {
            output.WriteLine($"{fixture}: max |{what}| = {error:E2}");
            Assert.InRange(error, 0, Tolerance);
        }
    }

    [Fact]
    public void The_parity_oracle_catches_a_swapped_query_and_key_and_a_transposed_projection()
    {
        using var scope = NewDisposeScope();
        using var reference = Safetensors.ReadAll(HuggingFaceNamingTests.TimmFamily("dinov2.reference.safetensors"));
        using var hf = Safetensors.ReadAll(HuggingFaceNamingTests.Hf("dinov2.hf.safetensors"));
        var faults = new Dictionary<string, Dictionary<string, Tensor>>
        {
            ["swapped query and key"] = new(hf.Tensors)
            {
                ["encoder.layer.0.attention.attention.query.weight"] = hf.Tensors["encoder.layer.0.attention.attention.key.weight"],
                ["encoder.layer.0.attention.attention.key.weight"] = hf.Tensors["encoder.layer.0.attention.attention.query.weight"],
            },
            ["transposed projection"] = new(hf.Tensors)
            {
                ["encoder.layer.0.attention.output.dense.weight"] = hf.Tensors["encoder.layer.0.attention.output.dense.weight"].t(),
            },
        };
        foreach (var (fault, tensors) in faults)
        {
            using var model = new HfDinov2(seed: 1);
            model.LoadTensors(tensors, fault);
            model.eval();
            using var noGrad = torch.no_grad();
            double error = MaxAbsDiff(reference.Tensors["ref.features"], model.ForwardFeatures(reference.Tensors["ref.input"]));
            output.WriteLine($"{fault}: max |features error| = {error:E2}");
            Assert.True(error > 100 * Tolerance, $"{fault} went unnoticed ({error:E2})");
        }
    }
}
