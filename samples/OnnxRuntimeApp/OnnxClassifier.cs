using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ShapedVit.Samples.OnnxRuntimeApp;

/// <summary>
/// An exported ShapedVit model in ONNX Runtime: input <c>images</c> [batch,C,H,W] float32, output <c>logits</c>
/// [batch,classes]; labels from the metadata key <c>shapedvit.labels</c> (a JSON array), normalisation from
/// <c>shapedvit.preprocessing</c> (timm's pretrained_cfg: mean and std per channel, for pixels scaled to [0,1]) when the
/// export wrote them.
/// </summary>
public sealed class OnnxClassifier : IDisposable
{
    private readonly InferenceSession session;

    public OnnxClassifier(string modelPath, SessionOptions? options = null)
    {
        session = options is null ? new InferenceSession(modelPath) : new InferenceSession(modelPath, options);
        var dims = session.InputMetadata["images"].Dimensions; // [-1, C, H, W]: only the batch is dynamic
        (Channels, Height, Width) = (dims[1], dims[2], dims[3]);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Labels = metadata.TryGetValue("shapedvit.labels", out var labels) ? JsonSerializer.Deserialize<string[]>(labels) : null;
        var preprocessing = metadata.TryGetValue("shapedvit.preprocessing", out var json) ? JsonNode.Parse(json) : null;
        Mean = preprocessing?["mean"]?.Deserialize<float[]>() ?? new float[Channels];
        Std = preprocessing?["std"]?.Deserialize<float[]>() ?? Enumerable.Repeat(1f, Channels).ToArray();
    }

    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public string[]? Labels { get; }
    public float[] Mean { get; }
    public float[] Std { get; }

    /// <summary>Softmax of the logits for one image given as [C,H,W] bytes (0-255); the <paramref name="top"/> most probable classes.</summary>
    public IReadOnlyList<(string Label, float Probability)> Classify(Netpbm image, int top = 5)
    {
        if (image.Channels != Channels || image.Height != Height || image.Width != Width)
            throw new InvalidDataException($"the model expects {Width}x{Height} images with {Channels} channel(s), the image is {image.Width}x{image.Height} with {image.Channels}");
        var input = new DenseTensor<float>([1, Channels, Height, Width]);
        for (int c = 0; c < Channels; c++)
            for (int y = 0; y < Height; y++)
                for (int x = 0; x < Width; x++)
                    input[0, c, y, x] = (image.Pixels[(c * Height + y) * Width + x] / 255f - Mean[c]) / Std[c];
        float[] logits = Logits(input);
        float max = logits.Max();
        var exp = logits.Select(l => MathF.Exp(l - max)).ToArray();
        float sum = exp.Sum();
        return exp.Select((p, i) => (Labels is { } names && i < names.Length ? names[i] : $"class {i}", p / sum))
                  .OrderByDescending(p => p.Item2).Take(top).ToList();
    }

    /// <summary>The raw logits of a [batch,C,H,W] input, flattened.</summary>
    public float[] Logits(DenseTensor<float> images)
    {
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("images", images)]);
        return results.First(r => r.Name == "logits").AsEnumerable<float>().ToArray();
    }

    public void Dispose() => session.Dispose();
}
