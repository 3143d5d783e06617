using ShapedVit.Checkpoints;

namespace ShapedVit.Onnx;

/// <summary>How <see cref="OnnxExport.ExportOnnx"/> writes a model. Every option is checked before any file is written.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>The lowest opset the exporter writes: LayerNormalization is a standard operator from 17 on.</summary>
    public const int MinimumOpset = 17;

    /// <summary>The highest opset the exporter writes (every operator it uses is unchanged or handled up to here).</summary>
    public const int MaximumOpset = 21;

    /// <summary>Weight bytes above which the weights go to an external-data file beside the model (protobuf's 2 GB limit).</summary>
    public const long DefaultExternalDataThreshold = 2_000_000_000;

    /// <summary>The ONNX operator set, <see cref="MinimumOpset"/> to <see cref="MaximumOpset"/> (default 17; an export given
    /// no options at all writes 18 for a model of dynamic image size, whose resampling needs Resize's antialiasing).</summary>
    public int Opset { get; init; } = MinimumOpset;

    /// <summary>Adds the output <c>pooled</c> [batch, Embed]: the pooled features before pre-logits and head.</summary>
    public bool IncludePooledFeatures { get; init; }

    /// <summary>
    /// The model's name, architecture, labels and preprocessing, written to <c>metadata_props</c> under the keys a
    /// safetensors checkpoint uses (<see cref="CheckpointMetadataKeys"/>), so <see cref="Checkpoints.CheckpointMetadata.Parse"/>
    /// reads them back from an ONNX Runtime session's metadata. Null writes <see cref="Checkpoints.CheckpointMetadata.For"/>
    /// of the model (its name and architecture); a name or architecture left null is filled in the same way.
    /// </summary>
    public CheckpointMetadata? CheckpointMetadata { get; init; }

    /// <summary>
    /// More string pairs for <c>metadata_props</c> (provenance, licences), beside the <c>shapedvit.*</c> keys the exporter
    /// writes itself (which callers may not reuse).
    /// </summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// When the float32 weights take more bytes than this, they are written in the ONNX external-data format to
    /// <c>PATH.HASH.data</c> beside the model, HASH from the file's content (default <see cref="DefaultExternalDataThreshold"/>;
    /// a lower value exercises it).
    /// </summary>
    public long ExternalDataThreshold { get; init; } = DefaultExternalDataThreshold;

    /// <summary>Tests wrap the output streams (to simulate a full disk); never set in production.</summary>
    internal Func<Stream, Stream>? WrapStreamForTests { get; init; }

    /// <summary>Tests fail or stop the export after each step of writing its files; never set in production.</summary>
    internal Action<OnnxExportStep>? AfterStepForTests { get; init; }
}
