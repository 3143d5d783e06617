using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

using ShapedVit.IO;

namespace ShapedVit.Checkpoints;

/// <summary>Tensors and metadata read from a safetensors file. Owns the tensors: dispose it, or take them out with <see cref="Detach"/>.</summary>
public sealed class SafetensorsFile : IDisposable
{
    private readonly Dictionary<string, Tensor> tensors;

    internal SafetensorsFile(IReadOnlyDictionary<string, string> metadata, Dictionary<string, Tensor> tensors)
    {
        Metadata = metadata;
        this.tensors = tensors;
    }

    /// <summary>The file's <c>__metadata__</c> (empty when it has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors by name, in the order of their data in the file.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => tensors;

    /// <summary>Hands the tensors to the caller, who disposes them from then on.</summary>
    public Dictionary<string, Tensor> Detach()
    {
        var copy = new Dictionary<string, Tensor>(tensors, StringComparer.Ordinal);
        tensors.Clear();
        return copy;
    }

    /// <summary>Disposes the tensors not taken out with <see cref="Detach"/>.</summary>
    public void Dispose()
    {
        foreach (var tensor in tensors.Values) tensor.Dispose();
        tensors.Clear();
    }
}

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a UTF-8 JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data. Reading validates every rule of the reference
/// implementation and throws <see cref="CheckpointException"/> for any violation.
/// </summary>
public static class Safetensors
{
    /// <summary>The reference implementation's limit on the JSON header (100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    // Tensors are read and written in slices of at most this many bytes: Span lengths are ints.
    private const int ChunkBytes = 1 << 30;

    /// <summary>Reads and validates only the header of a file.</summary>
    public static SafetensorsHeader ReadHeader(string path)
    {
        using var source = FileSource.Open(path);
        return SafetensorsHeader.Read(source, path);
    }

    /// <summary>
    /// Reads every tensor of a file onto the CPU. Floating-point tensors (F16, BF16, F32, F64) are converted to
    /// <paramref name="floatingType"/> when it is given; other tensors keep their type.
    /// </summary>
    public static SafetensorsFile ReadAll(string path, ScalarType? floatingType = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var source = FileSource.Open(path);
        return ReadAll(source, path, floatingType);
    }

    /// <summary>As <see cref="ReadAll(string, ScalarType?)"/>, from bytes in memory.</summary>
    public static SafetensorsFile ReadAll(ReadOnlyMemory<byte> bytes, ScalarType? floatingType = null) =>
        ReadAll(new MemorySource(bytes), "<memory>", floatingType);

    internal static SafetensorsFile ReadAll(IByteSource source, string path, ScalarType? floatingType)
    {
        if (floatingType is ScalarType wanted && !SafetensorsDtypes.IsFloating(wanted))
            throw new ArgumentException($"{wanted} is not a floating-point type.", nameof(floatingType));
        var header = SafetensorsHeader.Read(source, path);
        foreach (var entry in header.Entries)
            if (SafetensorsDtypes.ToScalarType(entry.Dtype) is null)
                throw new CheckpointException(CheckpointRule.UnsupportedDtype, entry.Name, $"dtype {entry.Dtype} has no TorchSharp equivalent.", path);

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in header.Entries)
            {
                using var scope = NewDisposeScope();
                var raw = ReadTensor(source, header.DataStart, entry, path);
                var tensor = floatingType is ScalarType target && SafetensorsDtypes.IsFloating(raw.dtype) && raw.dtype != target ? raw.to(target) : raw;
                tensors.Add(entry.Name, tensor.MoveToOuterDisposeScope());
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
            throw;
        }
        return new SafetensorsFile(header.Metadata, tensors);
    }

    private static Tensor ReadTensor(IByteSource source, long dataStart, SafetensorsEntry entry, string path)
    {
        // Sizes were proven against the file length by the header, so this allocation is bounded by the file; libtorch may
        // still refuse a valid shape (rank limits) or run out of memory, which is reported as this file's problem.
        Tensor tensor;
        try
        {
            tensor = torch.empty(entry.Shape.ToArray(), SafetensorsDtypes.ToScalarType(entry.Dtype)!.Value);
        }
        catch (Exception e) when (e is not CheckpointException)
        {
            throw new CheckpointException(CheckpointRule.TensorNotCreated, entry.Name,
                $"libtorch could not create a {entry.Dtype} tensor of rank {entry.Shape.Count} and {entry.ElementCount} elements: {e.Message}", path, e);
        }
        if (entry.ByteLength == 0) return tensor;
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Reading safetensors on a big-endian machine is not supported.");
        using var flat = tensor.reshape(-1);
        long elementSize = flat.element_size();
        long chunkElements = ChunkBytes / elementSize;
        for (long first = 0; first < entry.ElementCount; first += chunkElements)
        {
            long count = Math.Min(chunkElements, entry.ElementCount - first);
            using var slice = flat.narrow(0, first, count);
            source.ReadExactly(dataStart + entry.Begin + first * elementSize, slice.bytes, path);
        }
        return tensor;
    }

    /// <summary>
    /// Writes tensors and metadata to <paramref name="path"/> atomically: a temporary file in the same folder is written,
    /// flushed to disk and renamed over the target, so readers never see a half-written checkpoint.
    /// Floating-point tensors are stored as <paramref name="floatingType"/> when it is given.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors,
                             IReadOnlyDictionary<string, string>? metadata = null, ScalarType? floatingType = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        if (floatingType is ScalarType wanted && !SafetensorsDtypes.IsFloating(wanted))
            throw new ArgumentException($"{wanted} is not a floating-point type.", nameof(floatingType));

        using var scope = NewDisposeScope();
        var prepared = Prepare(tensors, floatingType, path);
        try
        {
            AtomicFile.Write(path, stream => WriteTo(stream, prepared, metadata));
        }
        catch (Exception e) when (e is (IOException or UnauthorizedAccessException) and not CheckpointException)
        {
            throw new CheckpointException(CheckpointRule.Io, null, $"could not write the checkpoint: {e.Message}", path, e);
        }
    }

    /// <summary>As <see cref="Write"/>, to a stream (not atomic; the caller owns the stream).</summary>
    public static void WriteTo(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors,
                               IReadOnlyDictionary<string, string>? metadata = null, ScalarType? floatingType = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        using var scope = NewDisposeScope();
        WriteTo(stream, Prepare(tensors, floatingType, "<stream>"), metadata);
    }

    /// <summary>A tensor to write: its name, the stored dtype, and the caller's tensor (converted only while it is written).</summary>
    private sealed record Prepared(string Name, SafetensorsDtype Dtype, ScalarType Type, Tensor Source)
    {
        public long ByteLength => Source.NumberOfElements * SafetensorsDtypes.BitSize(Dtype) / 8;
    }

    private static List<Prepared> Prepare(IEnumerable<KeyValuePair<string, Tensor>> tensors, ScalarType? floatingType, string path)
    {
        var prepared = new List<Prepared>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name is null || name == "__metadata__")
                throw new CheckpointException(CheckpointRule.InvalidTensor, name, "this name cannot be a tensor's.", path);
            if (!names.Add(name))
                throw new CheckpointException(CheckpointRule.DuplicateKey, name, "two tensors have this name.", path);
            ArgumentNullException.ThrowIfNull(tensor, name);
            var type = floatingType is ScalarType f && SafetensorsDtypes.IsFloating(tensor.dtype) ? f : tensor.dtype;
            var dtype = SafetensorsDtypes.FromScalarType(type)
                ?? throw new CheckpointException(CheckpointRule.InvalidTensor, name, $"dtype {tensor.dtype} cannot be stored in safetensors.", path);
            // Nothing is converted yet: each tensor is converted just before its bytes are written (WriteTo), so saving holds
            // one converted tensor at a time, not a converted copy of the whole model.
            prepared.Add(new Prepared(name, dtype, type, tensor));
        }
        // The reference writer's order: larger elements first (so every tensor stays aligned), then by name.
        prepared.Sort((a, b) =>
        {
            int bySize = SafetensorsDtypes.BitSize(b.Dtype).CompareTo(SafetensorsDtypes.BitSize(a.Dtype));
            return bySize != 0 ? bySize : string.CompareOrdinal(a.Name, b.Name);
        });
        return prepared;
    }

    private static void WriteTo(Stream stream, List<Prepared> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Writing safetensors on a big-endian machine is not supported.");
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    writer.WriteString(key, value ?? throw new ArgumentException($"Metadata value of '{key}' is null.", nameof(metadata)));
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in tensors)
            {
                long bytes = t.ByteLength;
                writer.WriteStartObject(t.Name);
                writer.WriteString("dtype", t.Dtype.ToString());
                writer.WriteStartArray("shape");
                foreach (long dim in t.Source.shape) writer.WriteNumberValue(dim);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + bytes);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += bytes;
            }
            writer.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 so the data starts aligned, as the reference writer does.
        while (json.Length % 8 != 0) json.WriteByte((byte)' ');
        if (json.Length > MaxHeaderBytes)
            throw new CheckpointException(CheckpointRule.HeaderTooLarge, null, $"the header would be {json.Length} bytes, over the limit of {MaxHeaderBytes}.");

        stream.Write(BitConverter.GetBytes((ulong)json.Length));
        json.Position = 0;
        json.CopyTo(stream);
        foreach (var t in tensors)
        {
            if (t.Source.NumberOfElements == 0) continue;
            using var scope = NewDisposeScope(); // this tensor's converted copy, freed before the next one is made
            // detach: parameters may require grad; the copy is CPU, contiguous and of the stored type.
            var data = t.Source.detach().to(t.Type, torch.CPU).contiguous();
            if (data.NumberOfElements * data.element_size() != t.ByteLength)
                throw new InvalidOperationException($"{t.Name}: {data.NumberOfElements * data.element_size()} bytes to write, {t.ByteLength} in the header.");
            using var flat = data.reshape(-1);
            long elementSize = flat.element_size();
            long chunkElements = ChunkBytes / elementSize;
            for (long first = 0; first < flat.NumberOfElements; first += chunkElements)
            {
                using var slice = flat.narrow(0, first, Math.Min(chunkElements, flat.NumberOfElements - first));
                stream.Write(slice.bytes);
            }
        }
    }

    private sealed class FileSource : IByteSource, IDisposable
    {
        private readonly SafeFileHandle handle;
        private readonly string path;
        private FileSource(SafeFileHandle handle, long length, string path) { this.handle = handle; Length = length; this.path = path; }
        public long Length { get; }

        public static FileSource Open(string path)
        {
            try
            {
                var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
                return new FileSource(handle, RandomAccess.GetLength(handle), path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new CheckpointException(CheckpointRule.Io, null, $"could not open the checkpoint: {e.Message}", path, e);
            }
        }

        public int ReadAt(long offset, Span<byte> buffer)
        {
            try { return RandomAccess.Read(handle, buffer, offset); }
            catch (IOException e) { throw new CheckpointException(CheckpointRule.Io, null, $"could not read at byte {offset}: {e.Message}", path, e); }
        }

        public void Dispose() => handle.Dispose();
    }

    private sealed class MemorySource(ReadOnlyMemory<byte> bytes) : IByteSource
    {
        public long Length => bytes.Length;

        public int ReadAt(long offset, Span<byte> buffer)
        {
            if (offset >= bytes.Length) return 0;
            int count = (int)Math.Min(buffer.Length, bytes.Length - offset);
            bytes.Span.Slice((int)offset, count).CopyTo(buffer);
            return count;
        }
    }
}
