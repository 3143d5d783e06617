using System.Globalization;
using System.Text.Json.Nodes;
using ShapedVit.Checkpoints;

namespace ShapedVit.Models;

/// <summary>
/// One of timm's <c>pretrained_cfg</c> entries (<c>arch.tag</c>): where its weights live on the Hugging Face Hub, its class
/// count and its evaluation preprocessing, as timm's registry states them (tests/Fixtures/timm/timm_catalogue.json).
/// </summary>
public sealed class TimmPretrainedConfig
{
    /// <summary>The extra checkpoint metadata key under which <see cref="ToJson"/> is kept (<see cref="CheckpointMetadata.Extra"/>).</summary>
    public const string MetadataKey = "timm.pretrained_cfg";

    internal TimmPretrainedConfig(string name, string? hfHubId, int numClasses, int[] inputSize, double[] mean, double[] std,
                                  double cropPct, string cropMode, string interpolation, string? license)
        : this(name, name[..name.IndexOf('.', StringComparison.Ordinal)], name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..],
               hfHubId, numClasses, inputSize, mean, std, cropPct, cropMode, interpolation, license)
    {
    }

    /// <summary>A configuration that is no tag of timm's registry: an <c>hf-hub:</c> repo's own (its name, no tag).</summary>
    internal TimmPretrainedConfig(string name, string architecture, string tag, string? hfHubId, int numClasses, int[] inputSize,
                                  double[] mean, double[] std, double cropPct, string cropMode, string interpolation, string? license)
    {
        Name = name;
        Architecture = architecture;
        Tag = tag;
        HfHubId = hfHubId;
        NumClasses = numClasses;
        InputSize = inputSize;
        Mean = mean;
        Std = std;
        CropPct = cropPct;
        CropMode = cropMode;
        Interpolation = interpolation;
        License = license;
        Preprocessing = new PreprocessConfig(inputSize[1], cropPct, mean.Select(v => (float)v).ToArray(), std.Select(v => (float)v).ToArray(), inputSize[0])
        {
            Interpolation = interpolation switch
            {
                "bicubic" => Checkpoints.Interpolation.Bicubic,
                "bilinear" => Checkpoints.Interpolation.Bilinear,
                _ => throw new ArgumentException($"{name}: interpolation '{interpolation}' is neither bicubic nor bilinear.", nameof(interpolation)),
            },
        };
    }

    /// <summary>timm's full name, <c>arch.tag</c> (<c>vit_small_patch14_dinov2.lvd142m</c>); for the configuration of an
    /// <c>hf-hub:</c> repo (<c>Timm.Create(name, pretrained: true)</c>), that name (<c>hf-hub:facebook/dinov2-small</c>).</summary>
    public string Name { get; }
    /// <summary>The architecture: the part before the first dot, or the one an <c>hf-hub:</c> repo's config.json names.</summary>
    public string Architecture { get; }
    /// <summary>The pretrained tag, the part after the first dot (<c>lvd142m</c>; <c>untrained</c> for an architecture without
    /// weights; empty for an <c>hf-hub:</c> repo, which has none).</summary>
    public string Tag { get; }
    /// <summary>The Hugging Face Hub repo of the weights (<c>timm/vit_small_patch14_dinov2.lvd142m</c>); null where timm has none.</summary>
    public string? HfHubId { get; }
    /// <summary>Whether timm publishes weights for this tag (it has a Hub repo).</summary>
    public bool HasWeights => HfHubId is not null;
    /// <summary>The head's class count of the weights; 0 for a headless backbone (DINOv2, SigLIP, EVA-02's MIM weights).</summary>
    public int NumClasses { get; }
    /// <summary>timm's <c>input_size</c>: [channels, height, width].</summary>
    public IReadOnlyList<int> InputSize { get; }
    /// <summary>Per-channel mean of pixels scaled to 0..1.</summary>
    public IReadOnlyList<double> Mean { get; }
    /// <summary>Per-channel standard deviation of pixels scaled to 0..1.</summary>
    public IReadOnlyList<double> Std { get; }
    /// <summary>timm's <c>crop_pct</c>: the crop's share of the resized short side.</summary>
    public double CropPct { get; }
    /// <summary>timm's <c>crop_mode</c>: <c>center</c> (resize the short side, centre-crop) or <c>squash</c> (resize both sides,
    /// ignoring the aspect ratio, then centre-crop). <see cref="Preprocessing"/> has no field for it: it is kept in <see cref="ToJson"/>.</summary>
    public string CropMode { get; }
    /// <summary>timm's <c>interpolation</c>: <c>bicubic</c> or <c>bilinear</c>.</summary>
    public string Interpolation { get; }
    /// <summary>The weights' licence as timm states it; null where it states none.</summary>
    public string? License { get; }
    /// <summary>The evaluation preprocessing (size, crop, mean, std, interpolation) as the library's checkpoint metadata carries it.</summary>
    public PreprocessConfig Preprocessing { get; }

    /// <summary>The fields as timm's <c>pretrained_cfg</c> names them, as one line of JSON (kept under <see cref="MetadataKey"/>).</summary>
    public string ToJson()
    {
        var json = new JsonObject
        {
            ["architecture"] = Architecture,
            ["tag"] = Tag.Length == 0 ? null : Tag,
            ["hf_hub_id"] = HfHubId,
            ["num_classes"] = NumClasses,
            ["input_size"] = new JsonArray(InputSize.Select(v => (JsonNode)v).ToArray()),
            ["mean"] = new JsonArray(Mean.Select(v => (JsonNode)v).ToArray()),
            ["std"] = new JsonArray(Std.Select(v => (JsonNode)v).ToArray()),
            ["crop_pct"] = CropPct,
            ["crop_mode"] = CropMode,
            ["interpolation"] = Interpolation,
            ["license"] = License,
        };
        return json.ToJsonString();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name} ({(HasWeights ? HfHubId : "no weights")}, {NumClasses} classes, {InputSize[1]}x{InputSize[2]}, crop {CropPct} {CropMode}, {Interpolation})");
}
