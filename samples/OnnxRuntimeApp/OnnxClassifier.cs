using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ShapedVit.Samples.OnnxRuntimeApp;

/// <summary>
/// An image classifier exported to ONNX, run by ONNX Runtime. Everything comes from the model file: the input (its one
/// input, whatever its name, [batch, C, H, W] float32), the output (<c>logits</c>, or its one output), the labels
/// (<c>shapedvit.labels</c>, a JSON array with one name per class) and the preprocessing (<c>shapedvit.preprocessing</c>,
/// timm's pretrained_cfg). The metadata is checked when the model is opened; a problem is an
/// <see cref="InvalidDataException"/> naming the file and the key.
/// </summary>
public sealed class OnnxClassifier : IDisposable
{
    /// <summary>The metadata key of the class names.</summary>
    public const string LabelsKey = "shapedvit.labels";
    /// <summary>The metadata key of the preprocessing.</summary>
    public const string PreprocessingKey = "shapedvit.preprocessing";

    private const int MaxPrintedLabel = 200;

    private readonly InferenceSession session;

    public OnnxClassifier(string modelPath, SessionOptions? options = null)
    {
        session = options is null ? new InferenceSession(modelPath) : new InferenceSession(modelPath, options);
        try
        {
            if (session.InputMetadata.Count != 1)
                throw new InvalidDataException($"{modelPath}: the model has {session.InputMetadata.Count} inputs ({string.Join(", ", session.InputMetadata.Keys)}); an image classifier has one");
            var (inputName, input) = session.InputMetadata.Single();
            var dims = input.Dimensions;
            if (input.ElementType != typeof(float) || dims.Length != 4 || dims[1] is not (1 or 3) || dims[2] < 1 || dims[3] < 1)
                throw new InvalidDataException($"{modelPath}: the input '{inputName}' is {input.ElementType.Name} [{string.Join(",", dims)}]; images need float32 [batch, 1 or 3, height, width]");
            InputName = inputName;
            (Channels, Height, Width) = (dims[1], dims[2], dims[3]);

            OutputName = session.OutputMetadata.ContainsKey("logits") ? "logits"
                : session.OutputMetadata.Count == 1 ? session.OutputMetadata.Keys.Single()
                : throw new InvalidDataException($"{modelPath}: the model has the outputs {string.Join(", ", session.OutputMetadata.Keys)} and none is named logits");
            var outputDims = session.OutputMetadata[OutputName].Dimensions;
            if (outputDims.Length != 2 || outputDims[1] < 1)
                throw new InvalidDataException($"{modelPath}: the output '{OutputName}' is [{string.Join(",", outputDims)}]; class scores need [batch, classes]");
            Classes = outputDims[1];

            var metadata = session.ModelMetadata.CustomMetadataMap;
            Labels = metadata.TryGetValue(LabelsKey, out var labels) ? ParseLabels(labels, modelPath) : null;
            Preprocessor = metadata.TryGetValue(PreprocessingKey, out var json) ? ParsePreprocessing(json, modelPath) : null;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The model's input name (an export's is <c>images</c>).</summary>
    public string InputName { get; }
    /// <summary>The output read: <c>logits</c>, or the model's only output.</summary>
    public string OutputName { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Classes { get; }
    /// <summary>The class names from the metadata, one per class, or null.</summary>
    public string[]? Labels { get; }
    /// <summary>The preprocessing from the metadata, or null: images must then have the input's size, scaled to 0..1 only.</summary>
    public Preprocessor? Preprocessor { get; }
    public float[] Mean => Preprocessor?.Mean ?? new float[Channels];
    public float[] Std => Preprocessor?.Std ?? Enumerable.Repeat(1f, Channels).ToArray();

    /// <summary>The model input for one image, [Channels, Height, Width].</summary>
    public float[] Preprocess(PixelImage image)
    {
        if (Preprocessor is not null) return Preprocessor.Apply(image);
        if (image.Width != Width || image.Height != Height || image.Channels != Channels)
            throw new InvalidDataException($"the model expects {Width}x{Height} images with {Channels} channel(s), the image is {image.Width}x{image.Height} with {image.Channels} (the model has no {PreprocessingKey} to resize it with)");
        int plane = Width * Height;
        var input = new float[Channels * plane];
        for (int c = 0; c < Channels; c++)
            for (int i = 0; i < plane; i++)
                input[c * plane + i] = image.Pixels[i * Channels + c] / 255f;
        return input;
    }

    /// <summary>Softmax of the logits for one image; the <paramref name="top"/> most probable classes.</summary>
    public IReadOnlyList<(string Label, float Probability)> Classify(PixelImage image, int top = 5)
    {
        float[] logits = Logits(new DenseTensor<float>(Preprocess(image), [1, Channels, Height, Width]));
        float max = logits.Max();
        var exp = logits.Select(l => MathF.Exp(l - max)).ToArray();
        float sum = exp.Sum();
        return exp.Select((p, i) => (Label(i), p / sum)).OrderByDescending(p => p.Item2).Take(top).ToList();
    }

    /// <summary>Softmax of the logits for one binary PGM/PPM image.</summary>
    public IReadOnlyList<(string Label, float Probability)> Classify(Netpbm image, int top = 5) => Classify(image.ToPixelImage(), top);

    /// <summary>The raw logits of a [batch,C,H,W] input, flattened.</summary>
    public float[] Logits(DenseTensor<float> images)
    {
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(InputName, images)]);
        return results.First(r => r.Name == OutputName).AsEnumerable<float>().ToArray();
    }

    /// <summary>Class <paramref name="index"/>'s label for a terminal: control characters escaped, at most 200 characters.</summary>
    public string Label(int index)
    {
        if (Labels is null) return $"class {index}";
        var text = new StringBuilder();
        foreach (char c in Labels[index].Length > MaxPrintedLabel ? Labels[index][..MaxPrintedLabel] + "..." : Labels[index])
            text.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        return text.ToString();
    }

    private string[] ParseLabels(string json, string modelPath)
    {
        string[]? labels;
        try { labels = JsonSerializer.Deserialize<string[]>(json); }
        catch (JsonException) { labels = null; }
        if (labels is null || labels.Any(l => l is null))
            throw new InvalidDataException($"{modelPath}: metadata {LabelsKey} is not a JSON array of strings");
        if (labels.Length != Classes)
            throw new InvalidDataException($"{modelPath}: metadata {LabelsKey} has {labels.Length} labels for the model's {Classes} classes");
        return labels;
    }

    private Preprocessor ParsePreprocessing(string json, string modelPath)
    {
        InvalidDataException Invalid(string problem) => new($"{modelPath}: metadata {PreprocessingKey}: {problem}");
        JsonElement root;
        try { root = JsonDocument.Parse(json).RootElement; }
        catch (JsonException) { throw Invalid("not JSON"); }
        if (root.ValueKind != JsonValueKind.Object) throw Invalid("not a JSON object");

        double[] Numbers(string field, int count)
        {
            if (!root.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() != count)
                throw Invalid($"{field} needs {count} numbers");
            return array.EnumerateArray().Select(n => n.ValueKind == JsonValueKind.Number && n.TryGetDouble(out double d) && double.IsFinite(d) ? d
                                                          : throw Invalid($"{field} needs {count} finite numbers")).ToArray();
        }
        var size = Numbers("input_size", 3);
        string expected = string.Create(CultureInfo.InvariantCulture, $"[{Channels},{Height},{Width}]");
        if (size[0] != Channels || size[1] != Height || size[2] != Width)
            throw Invalid($"input_size [{string.Join(",", size.Select(v => v.ToString(CultureInfo.InvariantCulture)))}] is not the model input's {expected}");
        if (Height != Width) throw Invalid($"the model input {expected} is not square, and timm's preprocessing crops squares");
        double cropPct = 1.0;
        if (root.TryGetProperty("crop_pct", out var crop) && !(crop.ValueKind == JsonValueKind.Number && crop.TryGetDouble(out cropPct) && cropPct > 0 && cropPct <= 1))
            throw Invalid($"crop_pct {crop.GetRawText()} is not a number in (0, 1]");
        string interpolation = root.TryGetProperty("interpolation", out var filter) && filter.ValueKind == JsonValueKind.String ? filter.GetString()! : "bicubic";
        if (interpolation is not ("bicubic" or "bilinear")) throw Invalid($"interpolation '{interpolation}' is not bicubic or bilinear");
        var mean = Numbers("mean", Channels);
        var std = Numbers("std", Channels);
        if (mean.Any(m => Math.Abs(m) > 1e3)) throw Invalid("mean values must be within [-1000, 1000]");
        if (std.Any(s => s < 1e-6)) throw Invalid("std values must be at least 1e-6");
        return new Preprocessor(Height, cropPct, interpolation == "bicubic", mean.Select(v => (float)v).ToArray(), std.Select(v => (float)v).ToArray());
    }

    public void Dispose() => session.Dispose();
}
