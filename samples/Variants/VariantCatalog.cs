using ShapedVit;
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
    public static IReadOnlyList<Variant> All { get; } = new[]
    {
        Of<VitTi16>("ViT-Ti/16", seed => new VitTi16(seed)),
        Of<VitS16>("ViT-S/16", seed => new VitS16(seed)),
        Of<VitB16>("ViT-B/16", seed => new VitB16(seed)),
        Of<VitB32>("ViT-B/32", seed => new VitB32(seed)),
        Of<VitL16>("ViT-L/16", seed => new VitL16(seed)),
        Of<VitH14>("ViT-H/14", seed => new VitH14(seed)),
        Of<TutorialVit>("Tutorial", seed => new TutorialVit(seed)),
    };

    /// <summary>A row from a generated type's static Spec and Geometry: no model is built to read them.</summary>
    public static Variant Of<TModel>(string name, Func<long?, nn.Module<Tensor, Tensor>> create) where TModel : IVisionTransformer<TModel>
    {
        var spec = TModel.Spec;
        var geometry = TModel.Geometry;
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
