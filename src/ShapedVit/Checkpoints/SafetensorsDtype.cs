using static TorchSharp.torch;

namespace ShapedVit.Checkpoints;

/// <summary>The element types the safetensors format defines (huggingface/safetensors <c>Dtype</c>).</summary>
public enum SafetensorsDtype
{
    /// <summary>Boolean, one byte each.</summary>
    BOOL,
    /// <summary>4-bit float (E2M1), two per byte.</summary>
    F4,
    /// <summary>6-bit float, 2 exponent and 3 mantissa bits.</summary>
    F6_E2M3,
    /// <summary>6-bit float, 3 exponent and 2 mantissa bits.</summary>
    F6_E3M2,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>8-bit float, 5 exponent and 2 mantissa bits.</summary>
    F8_E5M2,
    /// <summary>8-bit float, 4 exponent and 3 mantissa bits.</summary>
    F8_E4M3,
    /// <summary>8-bit float, exponent only (a scale).</summary>
    F8_E8M0,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>Unsigned 16-bit integer.</summary>
    U16,
    /// <summary>IEEE half precision.</summary>
    F16,
    /// <summary>bfloat16.</summary>
    BF16,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Unsigned 32-bit integer.</summary>
    U32,
    /// <summary>IEEE single precision.</summary>
    F32,
    /// <summary>Complex of two single-precision floats.</summary>
    C64,
    /// <summary>IEEE double precision.</summary>
    F64,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>Unsigned 64-bit integer.</summary>
    U64,
}

/// <summary>Sizes of the safetensors dtypes and their TorchSharp equivalents.</summary>
public static class SafetensorsDtypes
{
    private static readonly Dictionary<string, SafetensorsDtype> ByName =
        Enum.GetValues<SafetensorsDtype>().ToDictionary(d => d.ToString(), d => d, StringComparer.Ordinal);

    /// <summary>The dtype spelled exactly as in a header ("F32", "BF16"...), or false.</summary>
    public static bool TryParse(string name, out SafetensorsDtype dtype) => ByName.TryGetValue(name, out dtype);

    /// <summary>Bits per element (4 and 6 for the sub-byte floats).</summary>
    public static int BitSize(SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.F4 => 4,
        SafetensorsDtype.F6_E2M3 or SafetensorsDtype.F6_E3M2 => 6,
        SafetensorsDtype.BOOL or SafetensorsDtype.U8 or SafetensorsDtype.I8 or SafetensorsDtype.F8_E5M2 or SafetensorsDtype.F8_E4M3
            or SafetensorsDtype.F8_E8M0 => 8,
        SafetensorsDtype.I16 or SafetensorsDtype.U16 or SafetensorsDtype.F16 or SafetensorsDtype.BF16 => 16,
        SafetensorsDtype.I32 or SafetensorsDtype.U32 or SafetensorsDtype.F32 => 32,
        SafetensorsDtype.C64 or SafetensorsDtype.F64 or SafetensorsDtype.I64 or SafetensorsDtype.U64 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The TorchSharp type holding this dtype bit for bit, or null when TorchSharp has none.</summary>
    public static ScalarType? ToScalarType(SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.BOOL => ScalarType.Bool,
        SafetensorsDtype.U8 => ScalarType.Byte,
        SafetensorsDtype.I8 => ScalarType.Int8,
        SafetensorsDtype.I16 => ScalarType.Int16,
        SafetensorsDtype.I32 => ScalarType.Int32,
        SafetensorsDtype.I64 => ScalarType.Int64,
        SafetensorsDtype.F16 => ScalarType.Float16,
        SafetensorsDtype.BF16 => ScalarType.BFloat16,
        SafetensorsDtype.F32 => ScalarType.Float32,
        SafetensorsDtype.F64 => ScalarType.Float64,
        _ => null,
    };

    /// <summary>The safetensors dtype of a TorchSharp type, or null for types the writer does not store.</summary>
    public static SafetensorsDtype? FromScalarType(ScalarType type) => type switch
    {
        ScalarType.Bool => SafetensorsDtype.BOOL,
        ScalarType.Byte => SafetensorsDtype.U8,
        ScalarType.Int8 => SafetensorsDtype.I8,
        ScalarType.Int16 => SafetensorsDtype.I16,
        ScalarType.Int32 => SafetensorsDtype.I32,
        ScalarType.Int64 => SafetensorsDtype.I64,
        ScalarType.Float16 => SafetensorsDtype.F16,
        ScalarType.BFloat16 => SafetensorsDtype.BF16,
        ScalarType.Float32 => SafetensorsDtype.F32,
        ScalarType.Float64 => SafetensorsDtype.F64,
        _ => null,
    };

    /// <summary>True for the floating-point types a checkpoint may convert between.</summary>
    public static bool IsFloating(ScalarType type) =>
        type is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;
}
