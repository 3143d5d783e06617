namespace ShapedVit.Samples.OnnxRuntimeApp;

/// <summary>A binary PGM (P5, 1 channel) or PPM (P6, 3 channels) image with 8-bit samples, as planes [C,H,W].</summary>
public sealed record Netpbm(int Channels, int Height, int Width, byte[] Pixels)
{
    public static Netpbm Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        int position = 0;
        string Token()
        {
            while (position < file.Length && (char.IsWhiteSpace((char)file[position]) || file[position] == '#'))
                if (file[position] == '#') while (position < file.Length && file[position] != '\n') position++;
                else position++;
            int start = position;
            while (position < file.Length && !char.IsWhiteSpace((char)file[position])) position++;
            return System.Text.Encoding.ASCII.GetString(file, start, position - start);
        }
        string magic = Token();
        int channels = magic switch { "P5" => 1, "P6" => 3, _ => throw new InvalidDataException($"{path} is not a binary PGM or PPM image") };
        int width = int.Parse(Token()), height = int.Parse(Token()), maxValue = int.Parse(Token());
        position++; // the one whitespace byte before the samples
        if (maxValue != 255 || file.Length - position < channels * width * height)
            throw new InvalidDataException($"{path}: only complete 8-bit images are read");
        var planes = new byte[channels * height * width];
        for (int i = 0; i < width * height; i++)
            for (int c = 0; c < channels; c++)
                planes[c * width * height + i] = file[position + i * channels + c];
        return new Netpbm(channels, height, width, planes);
    }

    /// <summary>Writes planes [C,H,W] as binary PGM/PPM.</summary>
    public void Write(string path)
    {
        using var stream = File.Create(path);
        stream.Write(System.Text.Encoding.ASCII.GetBytes($"{(Channels == 1 ? "P5" : "P6")}\n{Width} {Height}\n255\n"));
        for (int i = 0; i < Width * Height; i++)
            for (int c = 0; c < Channels; c++)
                stream.WriteByte(Pixels[c * Width * Height + i]);
    }
}
