namespace ShapedVit.Onnx;

/// <summary>
/// The <c>metadata_props</c> keys an export writes beside the checkpoint metadata's (<see cref="Checkpoints.CheckpointMetadataKeys"/>:
/// model name, architecture, labels, preprocessing).
/// </summary>
public static class OnnxMetadataKeys
{
    /// <summary>JSON of the declaration the graph was built from: sizes, options and the LayerNorm epsilon.</summary>
    public const string Spec = OnnxExport.MetadataPrefix + "spec";
    /// <summary>The proven shape trace, for example <c>[224,224,3] -> [196,768] -> [197,768] -> 12 x block [197,768] -> [768] -> [1000]</c>.</summary>
    public const string ShapeTrace = OnnxExport.MetadataPrefix + "shape_trace";
    /// <summary>The exact parameter count.</summary>
    public const string Parameters = OnnxExport.MetadataPrefix + "parameters";
    /// <summary>The input, for example <c>images [batch,3,224,224] float32</c>.</summary>
    public const string Input = OnnxExport.MetadataPrefix + "input";
    /// <summary>The outputs, for example <c>logits [batch,1000] float32</c>; several are separated by "; ".</summary>
    public const string Outputs = OnnxExport.MetadataPrefix + "outputs";
}
