using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Google.Protobuf;
using Onnx;
using ShapedVit.Checkpoints;

namespace ShapedVit.Onnx;

/// <summary>What <see cref="OnnxExport.ExportOnnx"/> wrote.</summary>
public sealed class OnnxExportResult
{
    internal OnnxExportResult(string path, string? externalDataPath, int opset, long weightBytes, IReadOnlyList<(string Name, string Shape)> outputs, string input)
    {
        Path = path; ExternalDataPath = externalDataPath; Opset = opset; WeightBytes = weightBytes; Outputs = outputs; Input = input;
    }

    /// <summary>The model file, full path.</summary>
    public string Path { get; }
    /// <summary>
    /// The external-data file beside it (weights past <see cref="OnnxExportOptions.ExternalDataThreshold"/>), or null:
    /// <c>MODEL.onnx.HASH.data</c>, HASH the first 16 hex digits of the file's SHA-256.
    /// </summary>
    public string? ExternalDataPath { get; }
    /// <summary>The opset written.</summary>
    public int Opset { get; }
    /// <summary>Bytes of float32 weights written.</summary>
    public long WeightBytes { get; }
    /// <summary>The input, for example <c>images [batch,3,224,224]</c>.</summary>
    public string Input { get; }
    /// <summary>The outputs in order with their shapes, for example (<c>logits</c>, <c>[batch,1000]</c>).</summary>
    public IReadOnlyList<(string Name, string Shape)> Outputs { get; }
}

/// <summary>Exports generated Vision Transformers to ONNX.</summary>
public static class OnnxExport
{
    /// <summary>Prefix of the metadata keys the exporter writes itself (<see cref="OnnxMetadataKeys"/>, <see cref="CheckpointMetadataKeys"/>).</summary>
    public const string MetadataPrefix = "shapedvit.";

    private const int ExternalDataAlignment = 4096;

    /// <summary>
    /// Writes the model's evaluation-mode computation to an ONNX file: input <c>images</c> [batch, C, H, W] float32 (the
    /// batch dynamic, and H and W too for a model declared with a dynamic image size, which needs opset 18 or later), output <c>logits</c> [batch, NumClasses] (headless models: <c>features</c>, what their
    /// forward returns), optionally <c>pooled</c> [batch, Embed]; standard operators of the chosen opset, weights as
    /// float32 initializers named by their timm keys, the architecture and <see cref="OnnxExportOptions.Metadata"/> in
    /// <c>metadata_props</c>. A model marked by <see cref="Inference.Int8Inference.Quantize"/> is written as it runs: its
    /// marked Linear layers as ONNX Runtime's <c>com.microsoft.DynamicQuantizeMatMul</c> (what ONNX Runtime's
    /// <c>quantize_dynamic</c> makes of a MatMul: inputs quantized to uint8 per call, weights int8 per output column,
    /// initializers <c>KEY.int8</c>, <c>KEY.scale</c> and <c>KEY.zero_point</c>), which ONNX Runtime runs and other
    /// runtimes may not; everything else stays standard float32. The file is written atomically (temporary file, flushed, renamed); any failure throws one
    /// <see cref="OnnxExportException"/> with a one-line message and leaves no file behind. With external data the pair is
    /// atomic too: the data file is named after its content (<c>PATH.HASH.data</c>) and written first, the model file's
    /// rename is the one commit point, and data files of earlier exports of <paramref name="path"/> are removed after it,
    /// so a failure or a killed process leaves either the previous pair or the new one, never a mix. One export at a time
    /// per path.
    /// </summary>
    public static OnnxExportResult ExportOnnx(this IVisionTransformer model, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        // Without options the defaults fit the model: a dynamic image size needs Resize's antialiasing, so opset 18.
        options ??= model.Spec.DynamicImageSize ? new OnnxExportOptions { Opset = VitOnnxGraph.DynamicSizeOpset } : new OnnxExportOptions();
        string name = model.GetType().Name;
        if (string.IsNullOrWhiteSpace(path)) throw new OnnxExportException($"Cannot export {name} to ONNX: the path is empty.");
        if (options.Opset is < OnnxExportOptions.MinimumOpset or > OnnxExportOptions.MaximumOpset)
            throw new OnnxExportException($"Cannot export {name} to ONNX opset {options.Opset}: the exporter writes opsets {OnnxExportOptions.MinimumOpset} to {OnnxExportOptions.MaximumOpset}.");
        if (options.ExternalDataThreshold < 0)
            throw new OnnxExportException($"Cannot export {name} to ONNX: ExternalDataThreshold must not be negative, but is {options.ExternalDataThreshold}.");
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath)) throw new OnnxExportException($"Cannot export {name} to ONNX: {fullPath} is a folder.");

        var graph = VitOnnxGraph.Build(model, options);
        var proto = new ModelProto
        {
            IrVersion = IrVersion(options.Opset),
            ProducerName = "ShapedVit.Onnx",
            ProducerVersion = typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            DocString = graph.Graph.DocString,
            Graph = graph.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        if (graph.QuantizedLinears > 0) proto.OpsetImport.Add(new OperatorSetIdProto { Domain = VitOnnxGraph.MicrosoftDomain, Version = 1 });
        string input = model.Spec.DynamicImageSize
            ? $"{VitOnnxGraph.InputName} [batch,{model.Spec.Channels},height,width]"
            : $"{VitOnnxGraph.InputName} [batch,{model.Spec.Channels},{model.Spec.ImageHeight},{model.Spec.ImageWidth}]";
        foreach (var (key, value) in Metadata(model, graph, input, options))
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });

        long weightBytes = graph.Weights.Sum(w => w.ByteCount);
        bool external = weightBytes > options.ExternalDataThreshold;
        if (!external)
            foreach (var weight in graph.Weights)
                weight.Proto.RawData = UnsafeByteOperations.UnsafeWrap(weight.Bytes);

        OnnxExportFiles.Written written;
        try
        {
            written = OnnxExportFiles.Write(
                fullPath,
                external ? (stream, firstWritten) => WriteData(stream, graph.Weights, firstWritten) : null,
                dataFileName => PointAtData(graph.Weights, dataFileName),
                stream => proto.WriteTo(stream),
                () => proto.CalculateSize(),
                options.WrapStreamForTests,
                options.AfterStepForTests);
        }
        catch (Exception error)
        {
            string reason = error.Message.TrimEnd('.', ' ');
            throw new OnnxExportException($"Could not write {fullPath}: {reason}; nothing was written.", error);
        }
        return new OnnxExportResult(fullPath, written.DataPath, options.Opset, weightBytes, graph.Outputs, input);
    }

    /// <summary>The IR version that goes with an opset (onnx/helper.py's table).</summary>
    private static long IrVersion(int opset) => opset switch { <= 18 => 8, <= 20 => 9, _ => 10 };

    private static long Align(long offset) => (offset + ExternalDataAlignment - 1) / ExternalDataAlignment * ExternalDataAlignment;

    /// <summary>The weights one after another, each at an offset aligned to <see cref="ExternalDataAlignment"/> (zero padding between).</summary>
    private static void WriteData(Stream stream, IReadOnlyList<WeightInitializer> weights, Action firstWritten)
    {
        long position = 0;
        Span<byte> padding = stackalloc byte[ExternalDataAlignment];
        padding.Clear();
        foreach (var weight in weights)
        {
            long aligned = Align(position);
            stream.Write(padding[..(int)(aligned - position)]);
            stream.Write(weight.Bytes);
            position = aligned + weight.ByteCount;
            if (ReferenceEquals(weight, weights[0])) firstWritten();
        }
        stream.Flush();
    }

    /// <summary>Marks every weight as external data in <paramref name="dataFileName"/> (beside the model) at the offsets <see cref="WriteData"/> wrote it.</summary>
    private static void PointAtData(IReadOnlyList<WeightInitializer> weights, string dataFileName)
    {
        long offset = 0;
        foreach (var weight in weights)
        {
            weight.Proto.DataLocation = TensorProto.Types.DataLocation.External;
            weight.Proto.ExternalData.Clear();
            weight.Proto.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = dataFileName });
            weight.Proto.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(CultureInfo.InvariantCulture) });
            weight.Proto.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = weight.ByteCount.ToString(CultureInfo.InvariantCulture) });
            offset = Align(offset + weight.ByteCount);
        }
    }

    private static List<(string Key, string Value)> Metadata(IVisionTransformer model, VitOnnxGraph graph, string input, OnnxExportOptions options)
    {
        var spec = model.Spec;
        var geometry = model.Geometry;
        string name = model.GetType().Name;
        var typed = options.CheckpointMetadata ?? CheckpointMetadata.For(model);
        typed = typed with
        {
            ModelName = typed.ModelName ?? name,
            Architecture = typed.Architecture ?? ModelArchitecture.Describe(typed.ModelName ?? name, spec),
        };
        var pairs = new Dictionary<string, string>(typed.ToDictionary(), StringComparer.Ordinal);
        void Own(string key, string value)
        {
            if (!pairs.TryAdd(key, value))
                throw new OnnxExportException($"Cannot export {name} to ONNX: the checkpoint metadata has a '{key}', which the exporter writes itself.");
        }
        Own(OnnxMetadataKeys.Spec, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["image_height"] = spec.ImageHeight, ["image_width"] = spec.ImageWidth, ["channels"] = spec.Channels,
            ["patch_height"] = spec.PatchHeight, ["patch_width"] = spec.PatchWidth, ["embed_dim"] = spec.EmbedDim,
            ["depth"] = spec.Depth, ["heads"] = spec.Heads, ["mlp_dim"] = geometry.MlpDim, ["num_classes"] = spec.NumClasses,
            ["pooling"] = spec.Pooling switch { Pooling.Mean => "mean", Pooling.AttentionPool => "attention_pool", _ => "class_token" },
            ["class_token"] = spec.ClassToken, ["distillation_token"] = spec.DistillationToken, ["dynamic_image_size"] = spec.DynamicImageSize,
            ["register_tokens"] = spec.RegisterTokens, ["qkv_bias"] = spec.QkvBias, ["layer_scale"] = spec.LayerScale,
            ["representation_size"] = spec.RepresentationSize, ["layer_norm_eps"] = graph.LayerNormEps,
        }));
        Own(OnnxMetadataKeys.ShapeTrace, geometry.Trace);
        Own(OnnxMetadataKeys.Parameters, geometry.ParameterCount.ToString(CultureInfo.InvariantCulture));
        Own(OnnxMetadataKeys.Input, input + " float32");
        Own(OnnxMetadataKeys.Outputs, string.Join("; ", graph.Outputs.Select(o => $"{o.Name} {o.Shape} float32")));
        foreach (var (key, value) in options.Metadata ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrEmpty(key) || key.StartsWith(MetadataPrefix, StringComparison.Ordinal))
                throw new OnnxExportException($"Cannot export {name} to ONNX: metadata key '{key}' is {(key.Length == 0 ? "empty" : $"reserved (the exporter writes {MetadataPrefix}*; labels and preprocessing go in CheckpointMetadata)")}.");
            pairs[key] = value ?? "";
        }
        return pairs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)).ToList();
    }
}
