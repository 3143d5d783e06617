using ShapedVit;
using ShapedVit.Samples.Shared;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Samples.Variants;

/// <summary>One declared model, described only by its generated compile-time constants.</summary>
public sealed record Variant(
    string Name, int[] Image, int[] Patch, int Embed, int Depth, int Heads, int Classes, long Parameters, long Macs,
    [property: JsonIgnore] int Tokens, [property: JsonIgnore] string Trace, [property: JsonIgnore] Func<long?, nn.Module<Tensor, Tensor>> Create);

public static class VariantCatalog
{
    /// <summary>The paper's models are shown with ImageNet-1k's head, as they were published.</summary>
    public const int ImageNetClasses = 1000;

    public static IReadOnlyList<Variant> All { get; } = new[]
    {
        Of<VitTinyPatch16>("ViT-Ti/16", seed => new VitTinyPatch16(ImageNetClasses, seed), ImageNetClasses),
        Of<VitSmallPatch16>("ViT-S/16", seed => new VitSmallPatch16(ImageNetClasses, seed), ImageNetClasses),
        Of<VitBasePatch16>("ViT-B/16", seed => new VitBasePatch16(ImageNetClasses, seed), ImageNetClasses),
        Of<VitBasePatch32>("ViT-B/32", seed => new VitBasePatch32(ImageNetClasses, seed), ImageNetClasses),
        Of<VitLargePatch16>("ViT-L/16", seed => new VitLargePatch16(ImageNetClasses, seed), ImageNetClasses),
        Of<VitHugePatch14>("ViT-H/14", seed => new VitHugePatch14(ImageNetClasses, seed), ImageNetClasses),
        Of<TutorialVit>("Tutorial", seed => new TutorialVit(seed)),
    };

    /// <summary>
    /// A row from a generated type's static Spec and Geometry: no model is built to read them. A type whose class count
    /// is a constructor argument is shown with <paramref name="classes"/>.
    /// </summary>
    public static Variant Of<TModel>(string name, Func<long?, nn.Module<Tensor, Tensor>> create, int? classes = null) where TModel : IVisionTransformer<TModel>
    {
        var spec = TModel.Spec;
        var geometry = TModel.Geometry;
        if (spec.RuntimeNumClasses)
        {
            spec = spec with { NumClasses = classes ?? throw new ArgumentException($"{typeof(TModel).Name} takes its class count at run time: give one.", nameof(classes)) };
            geometry = VitGeometry.Create(spec);
        }
        return new Variant(name, [spec.ImageHeight, spec.ImageWidth, spec.Channels], [spec.PatchHeight, spec.PatchWidth],
            spec.EmbedDim, spec.Depth, spec.Heads, spec.NumClasses, geometry.ParameterCount, geometry.Macs,
            (int)geometry.SequenceLength, geometry.Trace, create);
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The catalogue as JSON: name, image, patch, embed, depth, heads, classes, parameters, macs.</summary>
    public static string ToJson(IEnumerable<Variant> variants) => JsonSerializer.Serialize(variants, JsonOptions);

    /// <summary>Median seconds of one batch-1 forward pass (after one warm-up), under inference mode.</summary>
    public static double TimeForward(Variant variant, int repetitions = 3) => TimeForward(variant, torch.CPU, repetitions);

    /// <summary>The median seconds of a batch-1 forward pass on <paramref name="device"/> (model and input moved there).</summary>
    public static double TimeForward(Variant variant, torch.Device device, int repetitions = 3)
    {
        using var model = variant.Create(0);
        model.to(device).eval();
        using var inference = torch.inference_mode();
        using var images = torch.randn(1, variant.Image[2], variant.Image[0], variant.Image[1]).to(device);
        var seconds = new List<double>();
        for (int i = 0; i <= repetitions; i++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using (var _ = model.forward(images)) { if (device.type == DeviceType.CUDA) torch.cuda.synchronize(); }
            if (i > 0) seconds.Add(watch.Elapsed.TotalSeconds); // the first pass warms up allocators and kernels
        }
        seconds.Sort();
        return seconds[seconds.Count / 2];
    }
}
