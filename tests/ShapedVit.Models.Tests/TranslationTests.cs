namespace ShapedVit.Models.Tests;

/// <summary>
/// The translation against the model timm builds from the same arguments (timm_parameter_counts.json): the geometry of
/// every declaration, independently of what the generator does with it yet.
/// </summary>
public class TranslationTests
{
    [Theory, MemberData(nameof(TimmFacts.Names), MemberType = typeof(TimmFacts))]
    public void The_translation_has_the_geometry_of_timms_model(string name)
    {
        var facts = TimmFacts.Of(name);
        var entry = TimmTranslator.Load().Entries.Single(e => e.Name == name);
        var spec = TimmTranslator.Translate(entry).Spec;
        Assert.Equal(TimmFacts.Pair(facts, "img_size"), new[] { spec.ImageHeight, spec.ImageWidth });
        Assert.Equal(TimmFacts.Pair(facts, "patch_size"), new[] { spec.PatchHeight, spec.PatchWidth });
        Assert.Equal((int)facts["embed_dim"]!, spec.EmbedDim);
        Assert.Equal((int)facts["depth"]!, spec.Depth);
        Assert.Equal((int)facts["num_heads"]!, spec.Heads);
        Assert.Equal((int)facts["mlp_hidden"]!, spec.MlpDim);
        Assert.Equal((int)facts["mlp_fc2_in"]!, spec.MlpGate == MlpGate.Packed ? spec.MlpDim / 2 : spec.MlpDim);
        Assert.Equal((string)facts["mlp_layer"]!, spec.MlpGate switch { MlpGate.Packed => "GluMlp", MlpGate.Split => "SwiGLU", _ => "Mlp" });
        int prefix = (spec.ClassToken ? 1 : 0) + (spec.DistillationToken ? 1 : 0) + spec.RegisterTokens;
        Assert.Equal((int)facts["num_prefix_tokens"]!, prefix);
        int patches = spec.ImageHeight / spec.PatchHeight * (spec.ImageWidth / spec.PatchWidth);
        int positions = spec.PositionEmbedding == PositionEmbeddingKind.None ? 0 : spec.PositionEmbeddingIncludesPrefix ? patches + prefix : patches;
        Assert.Equal((int?)facts["pos_embed_len"] ?? 0, positions);
        Assert.Equal((string)facts["default_tag"]!, entry.DefaultTag);
        Assert.Equal((int)facts["num_classes"]!, (int)entry.DefaultConfig["num_classes"]!);
    }
}
