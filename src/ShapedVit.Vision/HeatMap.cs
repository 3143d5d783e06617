using SkiaSharp;

namespace ShapedVit.Vision;

/// <summary>Draws a [gridHeight, gridWidth] map (stretched to its own min..max) over an image as a colour heat map (PNG).</summary>
public static class HeatMap
{
    /// <summary>
    /// Blends the map, bilinearly upsampled and coloured (blue to red), over the image shown in grey, at <paramref name="scale"/>
    /// times the image size; returns PNG bytes. <paramref name="pixels"/> are interleaved 8-bit, 1 or 3 channels. With
    /// <paramref name="legend"/> the colour scale (low to high: the map's own minimum to maximum) is drawn along the bottom
    /// edge, and a <paramref name="caption"/> (for example the top class) along the top, both inside the picture.
    /// </summary>
    public static byte[] RenderPng(byte[] pixels, int width, int height, int channels, float[] map, int gridHeight, int gridWidth, int scale = 1, double opacity = 0.5,
                                   string? caption = null, bool legend = true)
    {
        if (map.Length != gridHeight * gridWidth) throw new ArgumentException($"Map has {map.Length} values for a {gridHeight}x{gridWidth} grid.");
        // Stretch the map to 0..1 for display: rollout maps are often nearly flat, and their contrast is what matters.
        float low = map.Min(), high = map.Max();
        map = high > low ? map.Select(v => (v - low) / (high - low)).ToArray() : map.Select(_ => 0f).ToArray();
        int outW = width * scale, outH = height * scale;
        using var bitmap = new SKBitmap(new SKImageInfo(outW, outH, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var target = bitmap.GetPixelSpan();
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++)
            {
                int sx = x / scale, sy = y / scale;
                int i = (sy * width + sx) * channels;
                double grey = channels == 1 ? pixels[i] : 0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2];
                // Map coordinates of this pixel's centre, clamped so edge pixels take the edge cells.
                double gy = Math.Clamp((y + 0.5) / outH * gridHeight - 0.5, 0, gridHeight - 1);
                double gx = Math.Clamp((x + 0.5) / outW * gridWidth - 0.5, 0, gridWidth - 1);
                int y0 = (int)gy, x0 = (int)gx, y1 = Math.Min(y0 + 1, gridHeight - 1), x1 = Math.Min(x0 + 1, gridWidth - 1);
                double fy = gy - y0, fx = gx - x0;
                double value = (1 - fy) * ((1 - fx) * map[y0 * gridWidth + x0] + fx * map[y0 * gridWidth + x1])
                             + fy * ((1 - fx) * map[y1 * gridWidth + x0] + fx * map[y1 * gridWidth + x1]);
                var (r, g, b) = Jet(Math.Clamp(value, 0, 1));
                int o = 4 * (y * outW + x);
                target[o] = (byte)Math.Round((1 - opacity) * grey + opacity * r);
                target[o + 1] = (byte)Math.Round((1 - opacity) * grey + opacity * g);
                target[o + 2] = (byte)Math.Round((1 - opacity) * grey + opacity * b);
                target[o + 3] = 255;
            }
        if (legend || caption is not null) DrawLegend(bitmap, legend, caption);
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>Height of the colour bar and of each text band, for a picture <paramref name="width"/> wide.</summary>
    private static float Band(int width) => Math.Clamp(width / 16f, 8f, 28f);

    private static void DrawLegend(SKBitmap bitmap, bool legend, string? caption)
    {
        using var canvas = new SKCanvas(bitmap);
        int w = bitmap.Width, h = bitmap.Height;
        float band = Band(w);
        using var typeface = Typeface();
        using var font = new SKFont(typeface, band * 0.7f);
        using var shade = new SKPaint { Color = new SKColor(0, 0, 0, 170) };
        using var white = new SKPaint { Color = SKColors.White, IsAntialias = true };
        if (caption is not null)
        {
            canvas.DrawRect(0, 0, w, band, shade);
            canvas.DrawText(caption, 3, band * 0.78f, SKTextAlign.Left, font, white);
        }
        if (legend)
        {
            // The scale: "low", a jet gradient, "high", on a dark band along the bottom.
            float top = h - band;
            canvas.DrawRect(0, top, w, band, shade);
            float lowWidth = font.MeasureText("low"), highWidth = font.MeasureText("high");
            float left = 3 + lowWidth + 4, right = w - 3 - highWidth - 4;
            canvas.DrawText("low", 3, top + band * 0.78f, SKTextAlign.Left, font, white);
            canvas.DrawText("high", w - 3, top + band * 0.78f, SKTextAlign.Right, font, white);
            using var bar = new SKPaint();
            for (int x = (int)left; x < (int)right; x++)
            {
                var (r, g, b) = Jet((x - left) / Math.Max(1, right - left - 1));
                bar.Color = new SKColor((byte)r, (byte)g, (byte)b);
                canvas.DrawRect(x, top + band * 0.2f, 1, band * 0.6f, bar);
            }
        }
    }

    /// <summary>DejaVu Sans where the system has it (Skia's portable build has no font manager), else Skia's default.</summary>
    private static SKTypeface Typeface()
    {
        foreach (var file in new[] { "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf", "/Library/Fonts/Arial.ttf", @"C:\Windows\Fonts\arial.ttf" })
            if (File.Exists(file) && SKTypeface.FromFile(file) is { } typeface) return typeface;
        return SKTypeface.CreateDefault();
    }

    /// <summary>The "jet" colour map: 0 dark blue, 0.5 green-yellow, 1 dark red.</summary>
    public static (double R, double G, double B) Jet(double v)
    {
        double r = Math.Clamp(1.5 - Math.Abs(4 * v - 3), 0, 1);
        double g = Math.Clamp(1.5 - Math.Abs(4 * v - 2), 0, 1);
        double b = Math.Clamp(1.5 - Math.Abs(4 * v - 1), 0, 1);
        return (255 * r, 255 * g, 255 * b);
    }
}
