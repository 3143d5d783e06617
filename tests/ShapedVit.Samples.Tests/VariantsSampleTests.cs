using System.Text.Json;
using ShapedVit.Samples.Variants;

namespace ShapedVit.Samples.Tests;

public class VariantsSampleTests
{
    [Fact]
    public void Json_lists_every_variant_with_exactly_the_documented_fields()
    {
        using var document = JsonDocument.Parse(VariantCatalog.ToJson(VariantCatalog.All));
        var models = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(new[] { "ViT-Ti/16", "ViT-S/16", "ViT-B/16", "ViT-B/32", "ViT-L/16", "ViT-H/14", "Tutorial" },
                     models.Select(m => m.GetProperty("name").GetString()));
        foreach (var model in models)
            Assert.Equal(new[] { "name", "image", "patch", "embed", "depth", "heads", "classes", "parameters", "macs" },
                         model.EnumerateObject().Select(p => p.Name));
        var b16 = models[2];
        Assert.Equal(86_567_656, b16.GetProperty("parameters").GetInt64());   // timm's vit_base_patch16_224
        Assert.Equal(17_563_828_224, b16.GetProperty("macs").GetInt64());     // torchvision reports 17.56 GFLOPS (MACs)
        var tutorial = models[6];
        Assert.Equal(new[] { 256, 256, 3 }, tutorial.GetProperty("image").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(10, tutorial.GetProperty("classes").GetInt32());
    }

    [Theory]
    [InlineData(new[] { "--max-params" }, "error: Required argument missing for option: '--max-params'.")]
    [InlineData(new[] { "--max-params", "-5" }, "error: --max-params must not be negative (got -5).")]
    [InlineData(new[] { "--max-params", "x" }, "error: Cannot parse argument 'x' for option '--max-params' as expected type 'System.Int64'.")]
    [InlineData(new[] { "--jsn" }, "error: Unrecognized command or argument '--jsn'.")]
    public void Bad_arguments_give_a_one_line_error_with_the_usage(string[] args, string expected)
    {
        var error = new StringWriter();
        Assert.Null(VariantsOptions.Parse(args, TextWriter.Null, error, out int exitCode));
        Assert.Equal(2, exitCode);
        Assert.Equal($"{expected} ({VariantsOptions.Usage})\n", error.ToString().Replace("\r\n", "\n"));
    }

    [Fact]
    public void Help_describes_every_option()
    {
        var output = new StringWriter();
        Assert.Equal(0, VariantsApp.Run(["--help"], output, TextWriter.Null));
        foreach (string line in new[]
        {
            "--json", "Print the catalogue as JSON", "--no-forward", "time no forward pass", "--max-params", "ViT-H/14 is left out",
            "--device", "The device of the timed forward passes: cpu, cuda, cuda:N or auto.", "--timm", "List timm's catalogue by family",
        })
            Assert.Contains(line, output.ToString());
    }

    [Fact]
    public void Timm_lists_the_catalogue_by_family_and_builds_a_few_models_by_name()
    {
        var output = new StringWriter();
        Assert.Equal(0, VariantsApp.Run(["--timm"], output, TextWriter.Null));
        string text = output.ToString();
        Assert.Contains("timm's Vision Transformers by name (ShapedVit.Models): 87 architectures, 192 pretrained tags", text);
        foreach (var family in new[] { "vit", "vit-gap", "deit", "deit3", "clip", "clip-quickgelu", "siglip", "dinov2", "eva02" })
            Assert.Contains($"\n  {family.PadRight(15)} ", text.Replace("\r\n", "\n"));
        Assert.Contains("vit_small_patch14_reg4_dinov2", text);
        Assert.Contains("  vit_tiny_patch16_224.augreg_in21k_ft_in1k (VitTinyPatch16_224, 5,717,416 parameters, 1000 classes)", text);
        Assert.Contains("    [224,224,3] -> [196,192] -> [197,192] -> 12 x block [197,192] -> [192] -> [1000]", text);
        Assert.Contains("  vit_small_patch14_reg4_dinov2.lvd142m (VitSmallPatch14Reg4Dinov2, ", text);
    }

    [Fact]
    public void Json_turns_the_timed_forward_passes_off()
    {
        var options = VariantsOptions.Parse(new[] { "--json", "--max-params", "1000" }, TextWriter.Null, TextWriter.Null, out _)!;
        Assert.True(options.Json);
        Assert.False(options.Forward);
        Assert.Equal(1000, options.MaxParameters);
    }
}
