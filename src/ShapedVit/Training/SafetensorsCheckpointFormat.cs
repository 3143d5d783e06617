using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Training;

/// <summary>
/// A minimal safetensors writer and reader (F32 and I64 only) for the trainer's checkpoints.
/// TEMPORARY: to be replaced by the project's Checkpoints library (ShapedVit.Checkpoints, safetensors reader/writer) once it
/// lands on main; until then it stays private to Training behind <see cref="ICheckpointFormat"/>. The files it writes are
/// standard safetensors: 8-byte little-endian header length, JSON header, raw little-endian data.
/// </summary>
public sealed class SafetensorsCheckpointFormat : ICheckpointFormat
{
    /// <summary>Headers larger than this are refused (a corrupt length must not make us allocate without bound).</summary>
    private const long MaxHeaderBytes = 100L << 20;

    public static readonly SafetensorsCheckpointFormat Instance = new();

    public void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var blobs = new List<(string Name, string DType, long[] Shape, byte[] Bytes)>();
        foreach (var (name, tensor) in tensors)
        {
            using var cpu = tensor.detach().cpu().contiguous();
            byte[] bytes = cpu.dtype switch
            {
                ScalarType.Float32 => MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()).ToArray(),
                ScalarType.Int64 => MemoryMarshal.AsBytes(cpu.data<long>().ToArray().AsSpan()).ToArray(),
                _ => throw new NotSupportedException($"Tensor '{name}' has dtype {cpu.dtype}; this writer stores float32 and int64 only."),
            };
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian.");
            blobs.Add((name, cpu.dtype == ScalarType.Float32 ? "F32" : "I64", cpu.shape, bytes));
        }

        using var headerStream = new MemoryStream();
        using (var json = new Utf8JsonWriter(headerStream))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata) json.WriteString(key, value);
            json.WriteEndObject();
            long offset = 0;
            foreach (var blob in blobs)
            {
                json.WriteStartObject(blob.Name);
                json.WriteString("dtype", blob.DType);
                json.WriteStartArray("shape");
                foreach (long d in blob.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + blob.Bytes.LongLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += blob.Bytes.LongLength;
            }
            json.WriteEndObject();
        }
        var header = headerStream.ToArray().ToList();
        while (header.Count % 8 != 0) header.Add((byte)' '); // the format pads the header with spaces to 8-byte alignment

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Count);
            stream.Write(length);
            stream.Write(header.ToArray());
            foreach (var blob in blobs) stream.Write(blob.Bytes);
        });
    }

    public IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        using var stream = OpenForReading(path);
        using var document = ReadHeader(stream, path, out _);
        return ParseMetadata(document, path);
    }

    public CheckpointContents Read(string path)
    {
        using var stream = OpenForReading(path);
        using var document = ReadHeader(stream, path, out long dataStart);
        var metadata = ParseMetadata(document, path);
        var tensors = new Dictionary<string, Tensor>();
        long dataLength = stream.Length - dataStart;
        try
        {
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__") continue;
                string dtype = entry.Value.GetProperty("dtype").GetString() ?? "";
                long[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                long[] offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                int elementSize = dtype switch
                {
                    "F32" or "I32" => 4,
                    "I64" => 8,
                    _ => throw new InvalidDataException($"{path}: tensor '{entry.Name}' has dtype {dtype}; this reader knows F32 and I64."),
                };
                long count = shape.Aggregate(1L, (a, b) => checked(a * b));
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength || offsets[1] - offsets[0] != count * elementSize)
                    throw new InvalidDataException($"{path}: tensor '{entry.Name}' has bad data offsets [{string.Join(",", offsets)}] for shape [{string.Join(",", shape)}] {dtype}.");
                var bytes = new byte[offsets[1] - offsets[0]];
                stream.Position = dataStart + offsets[0];
                stream.ReadExactly(bytes);
                tensors[entry.Name] = dtype switch
                {
                    "F32" => torch.tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape),
                    _ => torch.tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape),
                };
            }
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new InvalidDataException($"{path}: malformed safetensors header ({e.Message})", e);
        }
        return new CheckpointContents(tensors, metadata);
    }

    private static FileStream OpenForReading(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        return File.OpenRead(path);
    }

    private static JsonDocument ReadHeader(FileStream stream, string path, out long dataStart)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Read(lengthBytes) != 8)
            throw new InvalidDataException($"{path}: too short to be a safetensors file.");
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (length == 0 || length > MaxHeaderBytes || (long)length > stream.Length - 8)
            throw new InvalidDataException($"{path}: not a safetensors file (header length {length} for a file of {stream.Length} bytes).");
        var header = new byte[length];
        stream.ReadExactly(header);
        dataStart = 8 + (long)length;
        try
        {
            var document = JsonDocument.Parse(header);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: safetensors header is not a JSON object.");
            return document;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: safetensors header is not valid JSON ({e.Message})", e);
        }
    }

    private static Dictionary<string, string> ParseMetadata(JsonDocument document, string path)
    {
        var metadata = new Dictionary<string, string>();
        if (!document.RootElement.TryGetProperty("__metadata__", out var element)) return metadata;
        if (element.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: safetensors __metadata__ is not an object.");
        foreach (var entry in element.EnumerateObject())
            metadata[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText();
        return metadata;
    }
}

/// <summary>Writes a file so that readers see either the old or the new content: a temporary file in the same folder, flushed to disk, then renamed over the target.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true); // rename(2): atomic within one file system
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } // best effort: the target is untouched either way
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));
}
