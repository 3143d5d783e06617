using System.Buffers.Binary;
using System.IO.Compression;

namespace ShapedVit.Samples.Shared;

/// <summary>A file that is not valid IDX (or not what the caller expected), with a one-line message that names the file.</summary>
public sealed class IdxFormatException : Exception
{
    public IdxFormatException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// An unsigned-byte IDX array (LeCun's MNIST format, also Fashion-MNIST's): a big-endian header of
/// 0x00 0x00 0x08 rank, then rank big-endian int32 dimensions, then the bytes, row-major. Gzipped files are read transparently.
/// </summary>
public sealed class IdxFile
{
    /// <summary>The largest array accepted (1 GiB): a corrupt header must not make us allocate without bound.</summary>
    public const long MaxElements = 1L << 30;

    private const byte UnsignedByteType = 0x08;

    public IdxFile(int[] dimensions, byte[] data)
    {
        Dimensions = dimensions;
        Data = data;
    }

    public int[] Dimensions { get; }
    public byte[] Data { get; }
    public int Count => Dimensions[0];

    /// <summary>Reads a raw or gzipped (.gz, detected by content) IDX file of unsigned bytes.</summary>
    public static IdxFile Read(string path)
    {
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IdxFormatException($"{path}: cannot read: {e.Message}", e);
        }
        return Parse(raw, path);
    }

    /// <summary>Parses the bytes of a raw or gzipped IDX file; <paramref name="name"/> appears in error messages.</summary>
    public static IdxFile Parse(byte[] bytes, string name)
    {
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
            bytes = Gunzip(bytes, name);
        if (bytes.Length < 4)
            throw new IdxFormatException($"{name}: truncated IDX header ({bytes.Length} bytes; at least 4 expected).");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new IdxFormatException($"{name}: bad IDX magic 0x{bytes[0]:x2}{bytes[1]:x2}{bytes[2]:x2}{bytes[3]:x2} (expected 0x000008NN).");
        if (bytes[2] != UnsignedByteType)
            throw new IdxFormatException($"{name}: IDX element type 0x{bytes[2]:x2} is not supported (only unsigned bytes, 0x08).");
        int rank = bytes[3];
        if (rank < 1 || rank > 4)
            throw new IdxFormatException($"{name}: IDX rank {rank} is not supported (1 to 4).");
        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new IdxFormatException($"{name}: truncated IDX header ({bytes.Length} bytes; {headerLength} expected for rank {rank}).");

        var dimensions = new int[rank];
        long elements = 1;
        for (int i = 0; i < rank; i++)
        {
            int dim = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i, 4));
            if (dim < 0)
                throw new IdxFormatException($"{name}: IDX dimension {i} is negative ({dim}).");
            dimensions[i] = dim;
            elements *= dim;
            if (elements > MaxElements)
                throw new IdxFormatException($"{name}: IDX header declares more than {MaxElements} elements.");
        }
        long available = bytes.Length - headerLength;
        if (available < elements)
            throw new IdxFormatException($"{name}: truncated: header declares {elements} bytes of data [{string.Join(",", dimensions)}], file has {available}.");
        if (available > elements)
            throw new IdxFormatException($"{name}: {available - elements} unexpected bytes after the {elements} declared by the header [{string.Join(",", dimensions)}].");
        return new IdxFile(dimensions, bytes.AsSpan(headerLength).ToArray());
    }

    /// <summary>The raw (uncompressed) IDX bytes of an unsigned-byte array.</summary>
    public static byte[] Encode(int[] dimensions, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + data.Length];
        bytes[2] = UnsignedByteType;
        bytes[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i, 4), dimensions[i]);
        data.CopyTo(bytes.AsSpan(4 + 4 * dimensions.Length));
        return bytes;
    }

    private static byte[] Gunzip(byte[] compressed, string name)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[1 << 16];
            int read;
            while ((read = gzip.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, read);
                if (output.Length > MaxElements + 64)
                    throw new IdxFormatException($"{name}: decompresses to more than {MaxElements} bytes.");
            }
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new IdxFormatException($"{name}: corrupt gzip data ({e.Message})", e);
        }
        catch (EndOfStreamException e)
        {
            throw new IdxFormatException($"{name}: truncated gzip data.", e);
        }
    }
}
