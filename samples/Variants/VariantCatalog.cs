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
        new Variant("ViT-Ti/16", [VitTi16.ImageHeight, VitTi16.ImageWidth, VitTi16.Channels], [VitTi16.PatchHeight, VitTi16.PatchWidth],
            VitTi16.EmbedDim, VitTi16.Depth, VitTi16.Heads, VitTi16.NumClasses, VitTi16.ParameterCount, VitTi16.Macs,
            VitTi16.SequenceLength, VitTi16.ShapeTrace, seed => new VitTi16(seed)),
        new Variant("ViT-S/16", [VitS16.ImageHeight, VitS16.ImageWidth, VitS16.Channels], [VitS16.PatchHeight, VitS16.PatchWidth],
            VitS16.EmbedDim, VitS16.Depth, VitS16.Heads, VitS16.NumClasses, VitS16.ParameterCount, VitS16.Macs,
            VitS16.SequenceLength, VitS16.ShapeTrace, seed => new VitS16(seed)),
        new Variant("ViT-B/16", [VitB16.ImageHeight, VitB16.ImageWidth, VitB16.Channels], [VitB16.PatchHeight, VitB16.PatchWidth],
            VitB16.EmbedDim, VitB16.Depth, VitB16.Heads, VitB16.NumClasses, VitB16.ParameterCount, VitB16.Macs,
            VitB16.SequenceLength, VitB16.ShapeTrace, seed => new VitB16(seed)),
        new Variant("ViT-B/32", [VitB32.ImageHeight, VitB32.ImageWidth, VitB32.Channels], [VitB32.PatchHeight, VitB32.PatchWidth],
            VitB32.EmbedDim, VitB32.Depth, VitB32.Heads, VitB32.NumClasses, VitB32.ParameterCount, VitB32.Macs,
            VitB32.SequenceLength, VitB32.ShapeTrace, seed => new VitB32(seed)),
        new Variant("ViT-L/16", [VitL16.ImageHeight, VitL16.ImageWidth, VitL16.Channels], [VitL16.PatchHeight, VitL16.PatchWidth],
            VitL16.EmbedDim, VitL16.Depth, VitL16.Heads, VitL16.NumClasses, VitL16.ParameterCount, VitL16.Macs,
            VitL16.SequenceLength, VitL16.ShapeTrace, seed => new VitL16(seed)),
        new Variant("ViT-H/14", [VitH14.ImageHeight, VitH14.ImageWidth, VitH14.Channels], [VitH14.PatchHeight, VitH14.PatchWidth],
            VitH14.EmbedDim, VitH14.Depth, VitH14.Heads, VitH14.NumClasses, VitH14.ParameterCount, VitH14.Macs,
            VitH14.SequenceLength, VitH14.ShapeTrace, seed => new VitH14(seed)),
        new Variant("Tutorial", [TutorialVit.ImageHeight, TutorialVit.ImageWidth, TutorialVit.Channels], [TutorialVit.PatchHeight, TutorialVit.PatchWidth],
            TutorialVit.EmbedDim, TutorialVit.Depth, TutorialVit.Heads, TutorialVit.NumClasses, TutorialVit.ParameterCount, TutorialVit.Macs,
            TutorialVit.SequenceLength, TutorialVit.ShapeTrace, seed => new TutorialVit(seed)),
    };

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
