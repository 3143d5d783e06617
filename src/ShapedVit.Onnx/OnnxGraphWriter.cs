using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace ShapedVit.Onnx;

/// <summary>A float32 weight: its initializer (data filled in when written inline) and the tensor's values.</summary>
internal sealed record WeightInitializer(TensorProto Proto, byte[] Bytes)
{
    public long ByteCount => Bytes.LongLength;
}

/// <summary>Builds one ONNX graph: nodes named by the caller, weights as float32 initializers, int64 and float constants.</summary>
internal sealed class OnnxGraphWriter
{
    private readonly Dictionary<string, string> constants = new();
    private readonly HashSet<string> names = new();

    public GraphProto Graph { get; } = new();
    public List<WeightInitializer> Weights { get; } = new();

    /// <summary>Adds a node whose one output is named after it; returns that output.</summary>
    public string Node(string op, string name, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        NodeWithOutputs(op, name, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs named NAME (one) or NAME:i (several).</summary>
    public string[] NodeWithOutputs(string op, string name, IEnumerable<string> inputs, int outputs, params AttributeProto[] attributes)
    {
        if (!names.Add(name)) throw new InvalidOperationException($"Duplicate node name {name}.");
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        var outputNames = outputs == 1 ? new[] { name } : Enumerable.Range(0, outputs).Select(i => $"{name}:{i}").ToArray();
        node.Output.AddRange(outputNames);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return outputNames;
    }

    /// <summary>Renames the output of the last node (graph outputs carry their documented names).</summary>
    public string RenameLastOutput(string newName)
    {
        var node = Graph.Node[^1];
        node.Output[0] = newName;
        return newName;
    }

    public string Weight(string name, long[] dims, float[] values)
    {
        var bytes = new byte[(long)values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(dims);
        Weights.Add(new WeightInitializer(proto, bytes));
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>A weight of another element type (int8 for quantized layers) from its raw little-endian bytes.</summary>
    public string Weight(string name, long[] dims, TensorProto.Types.DataType type, byte[] bytes)
    {
        var proto = new TensorProto { Name = name, DataType = (int)type };
        proto.Dims.AddRange(dims);
        Weights.Add(new WeightInitializer(proto, bytes));
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>An int64 constant initializer (shapes, axes, indices); equal constants are stored once. Empty dims: a scalar.</summary>
    public string Int64(string name, long[] dims, params long[] values)
    {
        string key = "i64:" + string.Join(',', dims) + ":" + string.Join(',', values);
        if (constants.TryGetValue(key, out var existing)) return existing;
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.AddRange(dims);
        proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        Graph.Initializer.Add(proto);
        constants[key] = name;
        return name;
    }

    public string Int64Vector(string name, params long[] values) => Int64(name, [values.Length], values);

    /// <summary>A float32 scalar constant; equal constants are stored once.</summary>
    public string FloatScalar(string name, float value)
    {
        string key = "f32:" + BitConverter.SingleToInt32Bits(value);
        if (constants.TryGetValue(key, out var existing)) return existing;
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.RawData = ByteString.CopyFrom(BitConverter.GetBytes(value));
        Graph.Initializer.Add(proto);
        constants[key] = name;
        return name;
    }

    public static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
            shape.Dim.Add(dim is string symbol ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                                               : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(dim) });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
}
