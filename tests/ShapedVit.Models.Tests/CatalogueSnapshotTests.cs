using System.Text.Json.Nodes;
using Xunit.Sdk;

namespace ShapedVit.Models.Tests;

/// <summary>
/// The checked-in catalogue (src/ShapedVit.Models/Catalogue) is exactly TimmTranslator's output for timm_catalogue.json, so
/// it cannot drift from timm's arguments; SHAPEDVIT_ACCEPT_SNAPSHOTS=1 rewrites it.
/// </summary>
public class CatalogueSnapshotTests
{
    private static string CatalogueFolder => Path.Combine(ShapedVit.Testing.RepositoryRoot.Path, "src", "ShapedVit.Models", "Catalogue");

    private static IReadOnlyDictionary<string, string> Rendered()
    {
        var (version, commit, entries) = TimmTranslator.Load();
        return TimmTranslator.RenderFiles(version, commit, entries);
    }

    [Fact]
    public void The_checked_in_catalogue_is_the_translation_of_timms_arguments()
    {
        bool accept = Environment.GetEnvironmentVariable("SHAPEDVIT_ACCEPT_SNAPSHOTS") == "1";
        var rendered = Rendered();
        var problems = new List<string>();
        foreach (var (file, text) in rendered)
        {
            string path = Path.Combine(CatalogueFolder, file);
            string? existing = File.Exists(path) ? File.ReadAllText(path) : null;
            if (existing is not null && Normalize(existing) == Normalize(text)) continue;
            if (accept) { Directory.CreateDirectory(CatalogueFolder); File.WriteAllText(path, text); continue; }
            problems.Add(existing is null ? $"{file} is missing" : $"{file} differs: {FirstDifference(existing, text)}");
        }
        foreach (var stray in Directory.EnumerateFiles(CatalogueFolder, "*.cs").Select(Path.GetFileName).Where(f => !rendered.ContainsKey(f!)))
        {
            if (accept) File.Delete(Path.Combine(CatalogueFolder, stray!));
            else problems.Add($"{stray} is not the translator's");
        }
        if (problems.Count > 0)
            throw new XunitException("The catalogue is not the translation of tests/Fixtures/timm/timm_catalogue.json (run with SHAPEDVIT_ACCEPT_SNAPSHOTS=1 and review the diff):\n" + string.Join("\n", problems));
    }

    [Fact]
    public void Every_architecture_is_declared_once_in_its_familys_file()
    {
        var (_, _, entries) = TimmTranslator.Load();
        Assert.Equal(87, entries.Count);
        var rendered = Rendered();
        foreach (var entry in entries)
        {
            string file = TimmTranslator.Families.Single(f => f.Family == entry.Family).File;
            string declaration = $"public partial class {TimmTranslator.ClassName(entry.Name)} {{ }}";
            Assert.Contains(declaration, rendered[file]);
            Assert.Single(rendered.Values, text => text.Contains(declaration, StringComparison.Ordinal));
        }
        Assert.Equal(entries.Count, entries.Select(e => TimmTranslator.ClassName(e.Name)).Distinct().Count());
    }

    [Theory]
    [InlineData("vit_small_patch14_dinov2", "VitSmallPatch14Dinov2")]
    [InlineData("vit_base_patch16_224", "VitBasePatch16_224")]
    [InlineData("deit3_base_patch16_384", "Deit3BasePatch16_384")]
    [InlineData("vit_base_patch16_clip_quickgelu_224", "VitBasePatch16ClipQuickgelu224")]
    [InlineData("eva02_large_patch14_clip_336", "Eva02LargePatch14Clip336")]
    public void Class_names_are_timms_names_in_PascalCase(string name, string expected) =>
        Assert.Equal(expected, TimmTranslator.ClassName(name));

    [Fact]
    public void An_unknown_kwarg_fails_the_translation_instead_of_being_ignored()
    {
        var entry = Entry("vit_tiny_patch16_224") with { Kwargs = Kwargs("vit_tiny_patch16_224", ("pos_embed_grid", JsonValue.Create(7))) };
        var error = Assert.Throws<InvalidDataException>(() => TimmTranslator.Translate(entry));
        Assert.Equal("vit_tiny_patch16_224: VisionTransformer argument pos_embed_grid=7 not translated: teach TimmTranslator it.", error.Message);
    }

    [Fact]
    public void A_value_it_cannot_express_fails_the_translation()
    {
        var entry = Entry("vit_tiny_patch16_224") with { Kwargs = Kwargs("vit_tiny_patch16_224", ("global_pool", JsonValue.Create("avgmax"))) };
        var error = Assert.Throws<InvalidDataException>(() => TimmTranslator.Translate(entry));
        Assert.Equal("vit_tiny_patch16_224: VisionTransformer argument global_pool='avgmax' has no translation.", error.Message);
        // An argument of another timm class is unknown to this one: EVA's scale_mlp on a VisionTransformer.
        entry = Entry("vit_tiny_patch16_224") with { Kwargs = Kwargs("vit_tiny_patch16_224", ("scale_mlp", JsonValue.Create(true))) };
        Assert.Contains("scale_mlp=True not translated", Assert.Throws<InvalidDataException>(() => TimmTranslator.Translate(entry)).Message);
    }

    /// <summary>Each family's options, translated from timm's defaults and arguments (read against timm's source).</summary>
    [Theory]
    [InlineData("vit_base_patch16_224",
        "[VisionTransformer(RuntimeNumClasses = true)]\n[Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]\n")]
    [InlineData("vit_base_patch16_224_miil",
        "[VisionTransformer(RuntimeNumClasses = true, QkvBias = false)]\n[Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]\n")]
    [InlineData("vit_medium_patch16_reg4_gap_256",
        "[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false, RegisterTokens = 4, LayerScaleInit = 1e-5)]\n[Image(256), Patch(16), Embed(512), Depth(12), Heads(8), Mlp(2048)]\n[PositionEmbedding(IncludePrefixTokens = false)]\n")]
    [InlineData("vit_medium_patch16_gap_256",
        "[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false, QkvBias = false, LayerScaleInit = 1e-6)]\n[Image(256), Patch(16), Embed(512), Depth(12), Heads(8), Mlp(2048)]\n[Norm(FinalNorm = FinalNorm.BeforePooling)]\n")]
    [InlineData("deit_small_distilled_patch16_224",
        "[VisionTransformer(RuntimeNumClasses = true, DistillationToken = true)]\n[Image(224), Patch(16), Embed(384), Depth(12), Heads(6), Mlp(1536)]\n")]
    [InlineData("deit3_small_patch16_384",
        "[VisionTransformer(RuntimeNumClasses = true, LayerScaleInit = 1e-6)]\n[Image(384), Patch(16), Embed(384), Depth(12), Heads(6), Mlp(1536)]\n[PositionEmbedding(IncludePrefixTokens = false)]\n")]
    [InlineData("vit_base_patch16_clip_224",
        "[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]\n[Image(224), Patch(16, Bias = false), Embed(768), Depth(12), Heads(12), Mlp(3072)]\n[Norm(PreNorm = true)]\n")]
    [InlineData("vit_large_patch14_clip_quickgelu_336",
        "[VisionTransformer(RuntimeNumClasses = true, LayerNormEps = 1e-5)]\n[Image(336), Patch(14, Bias = false), Embed(1024), Depth(24), Heads(16), Mlp(4096, Activation = MlpActivation.QuickGelu)]\n[Norm(PreNorm = true)]\n")]
    [InlineData("vit_base_patch32_siglip_256",
        "[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.AttentionPool, ClassToken = false)]\n[Image(256), Patch(32), Embed(768), Depth(12), Heads(12), Mlp(3072, Activation = MlpActivation.GeluTanh)]\n")]
    [InlineData("vit_base_patch16_siglip_gap_224",
        "[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean, ClassToken = false)]\n[Image(224), Patch(16), Embed(768), Depth(12), Heads(12), Mlp(3072)]\n[Norm(FinalNorm = FinalNorm.BeforePooling)]\n")]
    [InlineData("vit_small_patch14_reg4_dinov2",
        "[VisionTransformer(RuntimeNumClasses = true, RegisterTokens = 4, LayerScaleInit = 1e-5)]\n[Image(518), Patch(14), Embed(384), Depth(12), Heads(6), Mlp(1536)]\n[PositionEmbedding(IncludePrefixTokens = false)]\n")]
    [InlineData("eva02_base_patch14_448",
        "[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean)]\n[Image(448), Patch(14), Embed(768), Depth(12), Heads(12), Mlp(2048, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)]\n[Attention(SeparateProjections = true, Rotary = true, RotaryReferenceGrid = 16)]\n")]
    [InlineData("eva02_large_patch14_clip_224",
        "[VisionTransformer(RuntimeNumClasses = true)]\n[Image(224), Patch(14), Embed(1024), Depth(24), Heads(16), Mlp(2730, Activation = MlpActivation.Silu, Gate = MlpGate.Split, InnerNorm = true)]\n[Attention(SeparateProjections = true, InnerNorm = true, Rotary = true, RotaryReferenceGrid = 16)]\n")]
    [InlineData("eva02_tiny_patch14_224",
        "[VisionTransformer(RuntimeNumClasses = true, Pooling = Pooling.Mean)]\n[Image(224), Patch(14), Embed(192), Depth(12), Heads(3), Mlp(1024, Activation = MlpActivation.Silu, Gate = MlpGate.Packed)]\n[Attention(SeparateQvBias = true, Rotary = true, RotaryReferenceGrid = 16)]\n")]
    public void Each_familys_options_translate_as_timm_builds_them(string name, string attributes)
    {
        var declaration = TimmTranslator.Translate(Entry(name));
        int start = declaration.Source.IndexOf("[VisionTransformer(", StringComparison.Ordinal);
        int end = declaration.Source.IndexOf("public partial class", StringComparison.Ordinal);
        Assert.Equal(attributes, declaration.Source[start..end]);
    }

    private static TimmEntry Entry(string name) => TimmTranslator.Load().Entries.Single(e => e.Name == name);

    private static JsonObject Kwargs(string name, params (string Key, JsonNode Value)[] extra)
    {
        var kwargs = Entry(name).Kwargs.DeepClone().AsObject();
        foreach (var (key, value) in extra) kwargs[key] = value;
        return kwargs;
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimEnd();

    private static string FirstDifference(string expected, string actual)
    {
        var e = Normalize(expected).Split('\n');
        var a = Normalize(actual).Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end>", al = i < a.Length ? a[i] : "<end>";
            if (el != al) return $"line {i + 1}: checked in '{el}', translated '{al}'";
        }
        return "";
    }
}
