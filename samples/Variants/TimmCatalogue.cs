using System.Globalization;
using ShapedVit.Models;
using TorchSharp;

namespace ShapedVit.Samples.Variants;

/// <summary><c>variants --timm</c>: timm's catalogue (ShapedVit.Models) by family, and a few of its models built by name.</summary>
public static class TimmCatalogue
{
    /// <summary>Tiny and small models built by name: the plain ViT, DeiT's distillation token, DINOv2's registers, EVA-02.</summary>
    public static readonly string[] Built =
        ["vit_tiny_patch16_224", "deit_tiny_distilled_patch16_224", "vit_small_patch14_reg4_dinov2.lvd142m", "eva02_tiny_patch14_224"];

    public static void Write(TextWriter output)
    {
        output.WriteLine($"timm's Vision Transformers by name (ShapedVit.Models): {Timm.Names.Count} architectures, {Timm.PretrainedNames.Count} pretrained tags");
        foreach (var family in Timm.Architectures.GroupBy(a => a.Family))
            output.WriteLine($"  {family.Key,-15} {string.Join(", ", family.Select(a => a.Name))}");
        output.WriteLine();
        output.WriteLine("Built by name with Timm.Create (timm's initialisation; the class count of timm's default tag):");
        foreach (var name in Built)
        {
            using var model = Timm.Create(name, seed: 0);
            var vit = (IVisionTransformer)model;
            var config = Timm.PretrainedConfig(name);
            long parameters = model.parameters().Sum(p => p.numel());
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {config.Name} ({model.GetType().Name}, {parameters:N0} parameters, {(config.NumClasses == 0 ? "headless" : $"{config.NumClasses} classes")})"));
            output.WriteLine($"    {vit.Geometry.Trace}");
        }
    }
}
