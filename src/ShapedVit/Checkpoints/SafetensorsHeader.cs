using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ShapedVit.Checkpoints;

/// <summary>One tensor of a safetensors file: its name, dtype, shape and size.</summary>
public sealed class SafetensorsEntry
{
    internal SafetensorsEntry(string name, SafetensorsDtype dtype, long[] shape, long begin, long end, long elementCount)
    {
        Name = name; Dtype = dtype; Shape = shape; Begin = begin; End = end; ElementCount = elementCount;
    }

    /// <summary>The tensor's name (its key).</summary>
    public string Name { get; }
    /// <summary>The element type.</summary>
    public SafetensorsDtype Dtype { get; }
    /// <summary>The dimensions.</summary>
    public IReadOnlyList<long> Shape { get; }
    /// <summary>First byte, counted from the end of the header.</summary>
    internal long Begin { get; }
    /// <summary>One past the last byte, counted from the end of the header.</summary>
    internal long End { get; }
    /// <summary>Bytes of data.</summary>
    public long ByteLength => End - Begin;
    /// <summary>Elements: the product of the dimensions.</summary>
    public long ElementCount { get; }
}

/// <summary>A validated safetensors header: every rule of the reference implementation holds for it.</summary>
public sealed class SafetensorsHeader
{
    private SafetensorsHeader(long headerLength, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<SafetensorsEntry> entries)
    {
        HeaderLength = headerLength; Metadata = metadata; Entries = entries;
    }

    /// <summary>Bytes of JSON after the 8-byte length.</summary>
    internal long HeaderLength { get; }
    /// <summary>File offset of the first tensor byte.</summary>
    internal long DataStart => 8 + HeaderLength;
    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>The tensors in the order of their data.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>
    /// Reads and validates the header of a file or buffer. Nothing is allocated
    /// from a header number until that number is proven to lie within the file.
    /// </summary>
    internal static SafetensorsHeader Read(IByteSource source, string? path)
    {
        long fileLength = source.Length;
        if (fileLength < 8)
            throw Foreign(source, fileLength, path)
                  ?? new CheckpointException(CheckpointRule.FileTooShort, null, $"the file has {fileLength} bytes; a safetensors file starts with an 8-byte header length.", path);
        Span<byte> prefix = stackalloc byte[8];
        source.ReadExactly(0, prefix, path);
        ulong declared = BitConverter.ToUInt64(BitConverter.IsLittleEndian ? prefix : Reverse(prefix));
        if (declared > (ulong)Safetensors.MaxHeaderBytes)
            throw Foreign(source, fileLength, path)
                  ?? new CheckpointException(CheckpointRule.HeaderTooLarge, null, $"the header length {declared} exceeds the limit of {Safetensors.MaxHeaderBytes} bytes.", path);
        long headerLength = (long)declared;
        if (headerLength > fileLength - 8)
            throw Foreign(source, fileLength, path)
                  ?? new CheckpointException(CheckpointRule.HeaderBeyondFile, null, $"the header length {headerLength} reaches past the end of the {fileLength}-byte file.", path);

        var json = new byte[headerLength];
        source.ReadExactly(8, json, path);
        if ((json.Length == 0 || json[0] != (byte)'{' || !Utf8.IsValid(json)) && Foreign(source, fileLength, path) is { } foreign) throw foreign;
        var (metadata, entries) = Parse(json, path);
        long dataEnd = Validate(entries, path);
        if (dataEnd != fileLength - 8 - headerLength)
            throw new CheckpointException(CheckpointRule.DataEndMismatch, null,
                $"the tensors end at data byte {dataEnd}, but the file has {fileLength - 8 - headerLength} data bytes after the header.", path);
        return new SafetensorsHeader(headerLength, metadata, entries);
    }

    /// <summary>A <see cref="CheckpointRule.NotSafetensors"/> error when the file's first bytes are another known format, else null.</summary>
    private static CheckpointException? Foreign(IByteSource source, long fileLength, string? path)
    {
        Span<byte> start = stackalloc byte[(int)Math.Min(ForeignFormat.SniffBytes, fileLength)];
        source.ReadExactly(0, start, path);
        return ForeignFormat.Describe(start, fileLength) is { } what
            ? new CheckpointException(CheckpointRule.NotSafetensors, null, $"the file is {what}.", path)
            : null;
    }

    private static byte[] Reverse(ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Array.Reverse(copy);
        return copy;
    }

    private static (Dictionary<string, string> Metadata, List<SafetensorsEntry> Entries) Parse(byte[] json, string? path)
    {
        if (!Utf8.IsValid(json))
            throw new CheckpointException(CheckpointRule.HeaderNotUtf8, null, "the header is not valid UTF-8.", path);
        // Like safetensors >= 0.4: the header must open an object at once (no leading whitespace or BOM).
        if (json.Length == 0 || json[0] != (byte)'{')
            throw new CheckpointException(CheckpointRule.HeaderNotJson, null, json.Length == 0 ? "the header is empty." : "the header does not start with '{'.", path);
        try
        {
            return ParseObject(json, path);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new CheckpointException(CheckpointRule.HeaderNotJson, null, $"the header is not valid JSON: {e.Message}", path, e);
        }
    }

    private static (Dictionary<string, string>, List<SafetensorsEntry>) ParseObject(byte[] json, string? path)
    {
        // The format's structure is at most three levels deep; a small MaxDepth stops hostile nesting before any recursion.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
        Expect(ref reader, JsonTokenType.StartObject, null, CheckpointRule.HeaderNotJson, "the header", path);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<SafetensorsEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            Read(ref reader, path);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            string key = reader.GetString()!;
            if (!seen.Add(key))
                throw new CheckpointException(CheckpointRule.DuplicateKey, key, "the key occurs more than once in the header.", path);
            if (key == "__metadata__") ReadMetadata(ref reader, metadata, path);
            else entries.Add(ReadEntry(ref reader, key, path));
        }
        // Only whitespace (the writer's padding) may follow the object; the reader throws on anything else.
        if (reader.Read())
            throw new CheckpointException(CheckpointRule.HeaderNotJson, null, "the header has content after its JSON object.", path);
        return (metadata, entries);
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string? path)
    {
        Read(ref reader, path);
        if (reader.TokenType == JsonTokenType.Null) return; // the reference reads an absent map as null
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new CheckpointException(CheckpointRule.InvalidMetadata, "__metadata__", $"expected a map of strings to strings, found {reader.TokenType}.", path);
        while (true)
        {
            Read(ref reader, path);
            if (reader.TokenType == JsonTokenType.EndObject) return;
            string key = reader.GetString()!;
            Read(ref reader, path);
            if (reader.TokenType != JsonTokenType.String)
                throw new CheckpointException(CheckpointRule.InvalidMetadata, "__metadata__", $"the value of '{key}' is {reader.TokenType}, not a string.", path);
            if (!metadata.TryAdd(key, reader.GetString()!))
                throw new CheckpointException(CheckpointRule.DuplicateKey, "__metadata__", $"the metadata key '{key}' occurs more than once.", path);
        }
    }

    private static SafetensorsEntry ReadEntry(ref Utf8JsonReader reader, string name, string? path)
    {
        Expect(ref reader, JsonTokenType.StartObject, name, CheckpointRule.InvalidTensorEntry, "the tensor entry", path);
        string? dtypeName = null;
        long[]? shape = null;
        long[]? offsets = null;
        while (true)
        {
            Read(ref reader, path);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            string field = reader.GetString()!;
            bool duplicate = field switch { "dtype" => dtypeName is not null, "shape" => shape is not null, "data_offsets" => offsets is not null, _ => false };
            if (duplicate)
                throw new CheckpointException(CheckpointRule.DuplicateKey, name, $"the field '{field}' occurs more than once.", path);
            switch (field)
            {
                case "dtype":
                    Expect(ref reader, JsonTokenType.String, name, CheckpointRule.InvalidTensorEntry, "dtype", path);
                    dtypeName = reader.GetString()!;
                    break;
                case "shape":
                    shape = ReadIntegers(ref reader, name, "shape", path);
                    break;
                case "data_offsets":
                    offsets = ReadIntegers(ref reader, name, "data_offsets", path);
                    if (offsets.Length != 2)
                        throw new CheckpointException(CheckpointRule.InvalidTensorEntry, name, $"data_offsets has {offsets.Length} numbers; it must have 2 (begin, end).", path);
                    break;
                default:
                    throw new CheckpointException(CheckpointRule.InvalidTensorEntry, name, $"unknown field '{field}'; a tensor entry has dtype, shape and data_offsets.", path);
            }
        }
        if (dtypeName is null || shape is null || offsets is null)
            throw new CheckpointException(CheckpointRule.InvalidTensorEntry, name,
                $"missing {(dtypeName is null ? "dtype" : shape is null ? "shape" : "data_offsets")}; a tensor entry has dtype, shape and data_offsets.", path);
        if (!SafetensorsDtypes.TryParse(dtypeName, out var dtype))
            throw new CheckpointException(CheckpointRule.UnknownDtype, name, $"unknown dtype '{dtypeName}'.", path);
        return new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1], elementCount: -1);
    }

    private static long[] ReadIntegers(ref Utf8JsonReader reader, string name, string field, string? path)
    {
        Expect(ref reader, JsonTokenType.StartArray, name, CheckpointRule.InvalidTensorEntry, field, path);
        var values = new List<long>();
        while (true)
        {
            Read(ref reader, path);
            if (reader.TokenType == JsonTokenType.EndArray) return values.ToArray();
            // The reference reads usize: non-negative integers only. Above long.MaxValue nothing can fit in a file or a tensor.
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out ulong value))
                throw new CheckpointException(CheckpointRule.InvalidTensorEntry, name, $"{field} must hold non-negative integers, found {Describe(ref reader)}.", path);
            if (value > long.MaxValue)
                throw new CheckpointException(field == "shape" ? CheckpointRule.SizeOverflow : CheckpointRule.InvalidOffsets, name,
                    $"{field} value {value} is larger than any file or tensor can be.", path);
            values.Add((long)value);
        }
    }

    /// <summary>The reference's <c>Metadata::validate</c>: offsets in order from 0 without gaps or overlaps, sizes matching shapes.</summary>
    private static long Validate(List<SafetensorsEntry> entries, string? path)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long next = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Begin != next || entry.End < entry.Begin)
            {
                string why = entry.End < entry.Begin ? $"ends ({entry.End}) before it begins ({entry.Begin})"
                           : entry.Begin < next ? $"begins at {entry.Begin}, overlapping the previous tensor, which ends at {next}"
                           : $"begins at {entry.Begin}, but the previous data ends at {next} (tensors must be contiguous from offset 0)";
                throw new CheckpointException(CheckpointRule.InvalidOffsets, entry.Name, $"data_offsets [{entry.Begin},{entry.End}]: the tensor {why}.", path);
            }
            next = entry.End;
            long elements = 1, bytes;
            try
            {
                foreach (long dim in entry.Shape) elements = checked(elements * dim);
                long bits = checked(elements * SafetensorsDtypes.BitSize(entry.Dtype));
                if (bits % 8 != 0)
                    throw new CheckpointException(CheckpointRule.MisalignedSize, entry.Name, $"{elements} elements of {entry.Dtype} are {bits} bits, not whole bytes.", path);
                bytes = bits / 8;
            }
            catch (OverflowException)
            {
                throw new CheckpointException(CheckpointRule.SizeOverflow, entry.Name,
                    $"shape {TensorShapes.Format(entry.Shape)} of {entry.Dtype} has more bytes than a 64-bit size can count.", path);
            }
            if (entry.End - entry.Begin != bytes)
                throw new CheckpointException(CheckpointRule.SizeMismatch, entry.Name,
                    $"shape {TensorShapes.Format(entry.Shape)} of {entry.Dtype} needs {bytes} bytes, but data_offsets [{entry.Begin},{entry.End}] hold {entry.End - entry.Begin}.", path);
            entries[i] = new SafetensorsEntry(entry.Name, entry.Dtype, (long[])entry.Shape, entry.Begin, entry.End, elements);
        }
        return next;
    }

    private static void Read(ref Utf8JsonReader reader, string? path)
    {
        if (!reader.Read())
            throw new CheckpointException(CheckpointRule.HeaderNotJson, null, "the header JSON ends early.", path);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string? name, CheckpointRule rule, string what, string? path)
    {
        Read(ref reader, path);
        if (reader.TokenType != type)
            throw new CheckpointException(rule, name, $"{what} must be {type switch { JsonTokenType.StartObject => "an object", JsonTokenType.StartArray => "an array", JsonTokenType.String => "a string", _ => type.ToString() }}, found {Describe(ref reader)}.", path);
    }

    /// <summary>
    /// The JSON value under <paramref name="reader"/> in words, for an error line: its kind, and a number's text bounded by
    /// <see cref="UntrustedText.Display"/>. The header's and the metadata's readers share it.
    /// </summary>
    internal static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.None => "nothing",
        JsonTokenType.Number => "the number " + UntrustedText.Display(Encoding.UTF8.GetString(reader.ValueSpan), 40),
        JsonTokenType.String => "a string",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => reader.TokenType.ToString(),
    };
}

/// <summary>Random-access bytes: a file or memory.</summary>
internal interface IByteSource
{
    long Length { get; }
    /// <summary>Reads up to buffer.Length bytes at offset; returns how many (0 at the end).</summary>
    int ReadAt(long offset, Span<byte> buffer);
}

internal static class ByteSourceExtensions
{
    /// <summary>Fills the buffer or throws: a file that shrinks while being read is reported, not half-loaded.</summary>
    public static void ReadExactly(this IByteSource source, long offset, Span<byte> buffer, string? path)
    {
        while (buffer.Length > 0)
        {
            int read = source.ReadAt(offset, buffer);
            if (read <= 0)
                throw new CheckpointException(CheckpointRule.Io, null, $"the file ended at byte {offset.ToString(CultureInfo.InvariantCulture)} while reading (was it changed during loading?).", path);
            offset += read;
            buffer = buffer[read..];
        }
    }
}
