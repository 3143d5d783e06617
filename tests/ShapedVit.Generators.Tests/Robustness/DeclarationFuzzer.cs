using System.Globalization;
using System.Text;

namespace ShapedVit.Tests.Robustness;

/// <summary>Seeded random declarations: a valid network, then up to three mutations towards the edges of every value.</summary>
public static class DeclarationFuzzer
{
    private static readonly int[] EdgeInts =
        { 0, -1, 1, 2, int.MaxValue, int.MinValue, DeclarationOracle.MaxDimension, DeclarationOracle.MaxDimension + 1, int.MaxValue - 1, 65536 };

    private static readonly double[] EdgeDoubles =
    {
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue, -double.Epsilon, 0, -0.0,
        -0.1, 0.1, 0.5, 0.999, 1, 1.5, 1e-300, 1e-12, 1e-5, -1e-6,
    };

    public static Declaration Generate(Random r)
    {
        var d = new Declaration();
        // A valid network of random but modest size, so most of the budget goes to the mutations.
        int patchH = r.Next(1, 33), patchW = r.Next(4) == 0 ? r.Next(1, 33) : patchH;
        int gridH = r.Next(1, 15), gridW = r.Next(4) == 0 ? r.Next(1, 15) : gridH;
        int heads = r.Next(1, 17), headDim = r.Next(3) == 0 ? r.Next(1, 129) : 8 * r.Next(1, 17);
        bool square = patchH == patchW && r.Next(2) == 0;
        d.Images.Add((patchH * gridH, patchW * gridW, gridH == gridW && patchH == patchW && r.Next(2) == 0, r.Next(3) == 0 ? r.Next(1, 5) : null));
        d.Patches.Add((patchH, patchW, square));
        d.Embeds.Add(heads * headDim);
        d.Depths.Add(r.Next(1, 25));
        d.Heads.Add(heads);
        if (r.Next(2) == 0) d.Mlps.Add(r.Next(4) == 0 ? 0 : r.Next(1, 4097));
        if (r.Next(3) == 0) d.NumClasses = r.Next(0, 2001);
        if (r.Next(4) == 0) { d.Pooling = 1; if (r.Next(2) == 0) d.ClassToken = false; }
        if (r.Next(5) == 0) d.RegisterTokens = r.Next(0, 9);
        if (r.Next(6) == 0) d.RepresentationSize = r.Next(0, 1025);
        if (r.Next(6) == 0) d.QkvBias = false;
        if (r.Next(6) == 0) d.LayerScaleInit = 1e-5;
        if (r.Next(4) == 0) d.Dropout = 0.1;
        if (r.Next(6) == 0) d.AttentionDropout = 0.05;
        if (r.Next(6) == 0) d.DropPath = 0.2;
        if (r.Next(8) == 0) d.LayerNormEps = 1e-5;

        int mutations = r.Next(10) switch { < 3 => 0, < 6 => 1, < 9 => 2, _ => 3 };
        for (int m = 0; m < mutations; m++) Mutate(d, r);
        if (r.Next(4) == 0) AddExpectation(d, r);
        return d;
    }

    private static int EdgeInt(Random r) => r.Next(4) switch
    {
        0 => r.Next(-10, 11),
        1 => r.Next(2) == 0 ? r.Next() : -r.Next(),
        _ => EdgeInts[r.Next(EdgeInts.Length)],
    };

    private static double EdgeDouble(Random r) => EdgeDoubles[r.Next(EdgeDoubles.Length)];

    private static void Mutate(Declaration d, Random r)
    {
        switch (r.Next(14))
        {
            case 0 when d.Images.Count > 0:
                var image = d.Images[0];
                d.Images[0] = r.Next(3) switch
                {
                    0 => (EdgeInt(r), image.Width, false, image.Channels),
                    1 => (image.Height, EdgeInt(r), false, image.Channels),
                    _ => (image.Height, image.Width, image.Square, EdgeInt(r)),
                };
                break;
            case 1 when d.Patches.Count > 0:
                var patch = d.Patches[0];
                d.Patches[0] = r.Next(3) switch
                {
                    0 => (EdgeInt(r), patch.Width, false),
                    1 => (patch.Height, EdgeInt(r), false),
                    _ => EdgeInt(r) is var size ? (size, size, true) : default,
                };
                break;
            case 2:
                var list = new[] { d.Embeds, d.Depths, d.Heads, d.Mlps }[r.Next(4)];
                if (list.Count == 0) list.Add(EdgeInt(r)); else list[0] = EdgeInt(r);
                break;
            case 3:
                switch (r.Next(3))
                {
                    case 0: d.NumClasses = EdgeInt(r); break;
                    case 1: d.RegisterTokens = EdgeInt(r); break;
                    default: d.RepresentationSize = EdgeInt(r); break;
                }
                break;
            case 4: // leave attributes out
                int drop = r.Next(7);
                if (drop == 6) { d.Images.Clear(); d.Patches.Clear(); d.Embeds.Clear(); d.Depths.Clear(); d.Heads.Clear(); d.Mlps.Clear(); }
                else ((System.Collections.IList)new object[] { d.Images, d.Patches, d.Embeds, d.Depths, d.Heads, d.Mlps }[drop]).Clear();
                break;
            case 5: // the same attribute twice, with the same or another value
                switch (r.Next(6))
                {
                    case 0: d.Images.Add(r.Next(2) == 0 && d.Images.Count > 0 ? d.Images[0] : (EdgeInt(r), EdgeInt(r), false, null)); break;
                    case 1: d.Patches.Add(r.Next(2) == 0 && d.Patches.Count > 0 ? d.Patches[0] : (16, 16, true)); break;
                    case 2: d.Embeds.Add(r.Next(2) == 0 && d.Embeds.Count > 0 ? d.Embeds[0] : EdgeInt(r)); break;
                    case 3: d.Depths.Add(EdgeInt(r)); break;
                    case 4: d.Heads.Add(d.Heads.Count > 0 ? d.Heads[0] : 1); break;
                    default: d.Mlps.Add(EdgeInt(r)); break;
                }
                break;
            case 6: // a preset, often with the attributes it supplies left out or stated as 0
                d.Preset = r.Next(4) == 0 ? EdgeInt(r) : r.Next(0, 6);
                if (r.Next(2) == 0) { d.Embeds.Clear(); d.Heads.Clear(); d.Mlps.Clear(); }
                if (r.Next(2) == 0) { d.Images.Clear(); d.Patches.Clear(); d.Depths.Clear(); }
                if (r.Next(4) == 0) { d.Embeds.Clear(); d.Embeds.Add(0); }
                if (r.Next(6) == 0) { d.Images.Clear(); d.Images.Add((0, 0, r.Next(2) == 0, null)); }
                break;
            case 7:
                d.Pooling = r.Next(3) == 0 ? EdgeInt(r) : r.Next(2);
                if (r.Next(2) == 0) d.ClassToken = r.Next(2) == 0;
                break;
            case 8:
                switch (r.Next(4))
                {
                    case 0: d.Dropout = EdgeDouble(r); break;
                    case 1: d.AttentionDropout = EdgeDouble(r); break;
                    case 2: d.PatchDropout = EdgeDouble(r); break;
                    default: d.DropPath = EdgeDouble(r); break;
                }
                break;
            case 9: d.LayerNormEps = EdgeDouble(r); break;
            case 10: d.LayerScaleInit = EdgeDouble(r); break;
            case 11: d.QkvBias = r.Next(2) == 0; d.ClassToken = r.Next(2) == 0; break;
            case 12: AddExpectation(d, r); break;
            default:
                d.NumClasses = r.Next(3) == 0 ? 0 : d.NumClasses;
                if (r.Next(2) == 0) AddExpectation(d, r);
                break;
        }
    }

    /// <summary>A correct expectation (from the oracle's shapes) or one wrong in a dim, in rank or in its stage.</summary>
    private static void AddExpectation(Declaration d, Random r)
    {
        int stage = r.Next(8) == 0 ? new[] { 5, -1, 100, int.MinValue }[r.Next(4)] : r.Next(5);
        var probe = d.Clone();
        probe.Expectations.Clear();
        var shapes = DeclarationOracle.Judge(probe).Shapes;
        int[] dims = shapes.TryGetValue(stage, out var proven) && proven.All(x => x <= int.MaxValue)
            ? proven.Select(x => (int)x).ToArray()
            : new[] { r.Next(1, 300), r.Next(1, 300) };
        switch (r.Next(5))
        {
            case 0 when dims.Length > 0: dims[r.Next(dims.Length)] += r.Next(2) == 0 ? 1 : -1; break;
            case 1: dims = dims.Concat(new[] { 1 }).ToArray(); break;
            case 2: dims = dims.Skip(1).ToArray(); break;
        }
        d.Expectations.Add(new Expectation(stage, dims));
    }

    // ---- rendering ---------------------------------------------------------------------------------------------------

    /// <summary>C# source for the declaration, with its values written in varied but equivalent ways.</summary>
    public static string Render(Declaration d, string ns, string name, Random r)
    {
        var classConstants = new List<string>();
        var sharedConstants = new List<string>();
        string Int(int v)
        {
            string plain = v == int.MinValue ? "int.MinValue" : v == int.MaxValue && r.Next(2) == 0 ? "int.MaxValue" : v.ToString(CultureInfo.InvariantCulture);
            switch (r.Next(8))
            {
                case 0: classConstants.Add($"private const int K{classConstants.Count} = {plain};"); return $"K{classConstants.Count - 1}";
                case 1: sharedConstants.Add($"public const int S{sharedConstants.Count} = {plain};"); return $"Sizes.S{sharedConstants.Count - 1}";
                case 2 when v % 2 == 0 && v != int.MinValue: return $"2 * {(v / 2).ToString(CultureInfo.InvariantCulture)}";
                case 3 when v >= 0: return "0x" + v.ToString("X", CultureInfo.InvariantCulture);
                case 4 when v > int.MinValue && v < int.MaxValue: return $"({(v - 1).ToString(CultureInfo.InvariantCulture)} + 1)";
                default: return plain;
            }
        }
        string Double(double v) =>
            double.IsNaN(v) ? "double.NaN" : double.IsPositiveInfinity(v) ? "double.PositiveInfinity" : double.IsNegativeInfinity(v) ? "double.NegativeInfinity"
            : v == double.Epsilon ? "double.Epsilon" : v == double.MaxValue ? "double.MaxValue"
            : v == 0 && double.IsNegative(v) ? "-0.0"
            : v == 0.5 && r.Next(2) == 0 ? "1.0 / 2"
            : v.ToString("R", CultureInfo.InvariantCulture) + (r.Next(2) == 0 ? "d" : "");
        string Enum(string type, string[] names, int v) =>
            v >= 0 && v < names.Length && r.Next(4) != 0 ? $"{type}.{names[v]}" : $"({type})({Int(v)})";

        var attributes = new List<string>();
        var named = new List<string>();
        if (d.Preset is { } preset) named.Add("Preset = " + Enum("VitPreset", new[] { "None", "Tiny", "Small", "Base", "Large", "Huge" }, preset));
        if (d.NumClasses is { } classes) named.Add("NumClasses = " + Int(classes));
        if (d.Pooling is { } pooling) named.Add("Pooling = " + Enum("Pooling", new[] { "ClassToken", "Mean", "AttentionPool" }, pooling));
        if (d.ClassToken is { } classToken) named.Add("ClassToken = " + (classToken ? "true" : "false"));
        if (d.RegisterTokens is { } registers) named.Add("RegisterTokens = " + Int(registers));
        if (d.QkvBias is { } qkvBias) named.Add("QkvBias = " + (qkvBias ? "true" : "false"));
        if (d.LayerScaleInit is { } layerScale) named.Add("LayerScaleInit = " + Double(layerScale));
        if (d.RepresentationSize is { } representation) named.Add("RepresentationSize = " + Int(representation));
        if (d.Dropout is { } dropout) named.Add("Dropout = " + Double(dropout));
        if (d.AttentionDropout is { } attentionDropout) named.Add("AttentionDropout = " + Double(attentionDropout));
        if (d.DropPath is { } dropPath) named.Add("DropPath = " + Double(dropPath));
        if (d.PatchDropout is { } patchDropout) named.Add("PatchDropout = " + Double(patchDropout));
        if (d.LayerNormEps is { } eps) named.Add("LayerNormEps = " + Double(eps));
        Shuffle(named, r);
        attributes.Add(named.Count == 0 && r.Next(2) == 0 ? "VisionTransformer" : $"VisionTransformer({string.Join(", ", named)})");

        foreach (var (h, w, square, channels) in d.Images)
        {
            string sizes = square && h == w ? Int(h)
                : r.Next(3) == 0 ? $"width: {Int(w)}, height: {Int(h)}"
                : $"{Int(h)}, {Int(w)}";
            attributes.Add($"Image({sizes}{(channels is { } c ? ", Channels = " + Int(c) : "")})");
        }
        foreach (var (h, w, square) in d.Patches) attributes.Add(square && h == w ? $"Patch({Int(h)})" : $"Patch({Int(h)}, {Int(w)})");
        foreach (int v in d.Embeds) attributes.Add($"Embed({Int(v)})");
        foreach (int v in d.Depths) attributes.Add($"Depth({Int(v)})");
        foreach (int v in d.Heads) attributes.Add($"Heads({Int(v)})");
        foreach (int v in d.Mlps) attributes.Add($"Mlp({Int(v)})");
        foreach (var e in d.Expectations)
        {
            string stage = Enum("Stage", new[] { "Image", "PatchTokens", "Tokens", "Pooled", "Logits" }, e.Stage);
            string dims = string.Join(", ", e.Dims.Select(Int));
            attributes.Add(r.Next(3) == 0 ? $"ExpectShape({stage}, new int[] {{ {dims} }})" : e.Dims.Length == 0 ? $"ExpectShape({stage})" : $"ExpectShape({stage}, {dims})");
        }
        Shuffle(attributes, r);

        var text = new StringBuilder();
        text.AppendLine("using ShapedVit;");
        bool fileScoped = r.Next(2) == 0;
        text.AppendLine(fileScoped ? $"namespace {ns};" : $"namespace {ns}\n{{");
        for (int i = 0; i < attributes.Count;)
        {
            int take = Math.Min(attributes.Count - i, r.Next(1, 4));
            text.AppendLine("[" + string.Join(", ", attributes.Skip(i).Take(take)) + "]");
            i += take;
        }
        text.AppendLine(new[] { "public partial class", "partial class", "internal sealed partial class", "public sealed partial class" }[r.Next(4)] + " " + name);
        text.AppendLine("{");
        foreach (var constant in classConstants) text.AppendLine("    " + constant);
        text.AppendLine("}");
        if (sharedConstants.Count > 0) text.AppendLine("internal static class Sizes\n{\n    " + string.Join("\n    ", sharedConstants) + "\n}");
        if (!fileScoped) text.AppendLine("}");
        return text.ToString();
    }

    private static void Shuffle<T>(List<T> list, Random r)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = r.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
