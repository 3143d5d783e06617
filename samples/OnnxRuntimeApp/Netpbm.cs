using System.Globalization;
using System.Text;

namespace ShapedVit.Samples.OnnxRuntimeApp;

/// <summary>A binary PGM (P5, 1 channel) or PPM (P6, 3 channels) image with 8-bit samples, as planes [C,H,W].</summary>
public sealed record Netpbm(int Channels, int Height, int Width, byte[] Pixels)
{
    /// <summary>Reads a binary PGM or PPM file; a malformed header or short data is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static Netpbm Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Whether <paramref name="bytes"/> start as a binary PGM or PPM does (P5 or P6, then whitespace).</summary>
    public static bool IsNetpbm(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 3 && bytes[0] == 'P' && bytes[1] is (byte)'5' or (byte)'6' && char.IsWhiteSpace((char)bytes[2]);

    /// <summary>Parses binary PGM or PPM bytes; <paramref name="name"/> appears in errors. At most <paramref name="maxPixels"/> pixels.</summary>
    public static Netpbm Parse(byte[] file, string name, long maxPixels = ImageFile.DefaultMaxPixels)
    {
        int position = 0;
        string Token(string field)
        {
            while (position < file.Length && (char.IsWhiteSpace((char)file[position]) || file[position] == '#'))
                if (file[position] == '#') while (position < file.Length && file[position] != '\n') position++;
                else position++;
            int start = position;
            while (position < file.Length && !char.IsWhiteSpace((char)file[position]) && position - start < 16) position++;
            if (position == start) throw new InvalidDataException($"{name}: the Netpbm header ends before its {field}");
            return Encoding.ASCII.GetString(file, start, position - start);
        }
        int Number(string field)
        {
            string token = Token(field);
            if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < 1)
                throw new InvalidDataException($"{name}: the Netpbm {field} '{token}' is not a positive integer");
            return value;
        }
        string magic = Token("magic number");
        int channels = magic switch { "P5" => 1, "P6" => 3, _ => throw new InvalidDataException($"{name} is not a binary PGM or PPM image") };
        int width = Number("width"), height = Number("height"), maxValue = Number("maximum value");
        if ((long)width * height > maxPixels)
            throw new InvalidDataException($"{name}: {width}x{height} = {(long)width * height} pixels exceeds the limit of {maxPixels}");
        if (maxValue != 255) throw new InvalidDataException($"{name}: only 8-bit samples (maximum value 255) are read, not {maxValue}");
        position++; // the one whitespace byte before the samples
        long needed = (long)channels * width * height;
        if (file.Length - position < needed)
            throw new InvalidDataException($"{name}: {file.Length - Math.Min(position, file.Length)} bytes of samples, {needed} expected (truncated)");
        var planes = new byte[needed];
        int plane = width * height;
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < channels; c++)
                planes[c * plane + i] = file[position + i * channels + c];
        return new Netpbm(channels, height, width, planes);
    }

    /// <summary>The pixels interleaved (channels per pixel, row-major), as the other decoders give them.</summary>
    public PixelImage ToPixelImage()
    {
        int plane = Width * Height;
        var interleaved = new byte[Pixels.Length];
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < Channels; c++)
                interleaved[i * Channels + c] = Pixels[c * plane + i];
        return new PixelImage(Width, Height, Channels, interleaved);
    }

    /// <summary>Writes planes [C,H,W] as binary PGM/PPM.</summary>
    public void Write(string path)
    {
        using var stream = File.Create(path);
        stream.Write(Encoding.ASCII.GetBytes($"{(Channels == 1 ? "P5" : "P6")}\n{Width} {Height}\n255\n"));
        for (int i = 0; i < Width * Height; i++)
            for (int c = 0; c < Channels; c++)
                stream.WriteByte(Pixels[c * Width * Height + i]);
    }
}
