using System.Globalization;
using System.Numerics;
using System.Text;

namespace ShapedVit.Tests.Robustness;

/// <summary>One [ExpectShape]: a stage number (possibly out of range) and the dims the author states.</summary>
public sealed record Expectation(int Stage, int[] Dims);

/// <summary>
/// A declaration as numbers: null means the attribute (or named argument) is left out. Lists allow duplicates; the first
/// occurrence is the one that counts.
/// </summary>
public sealed class Declaration
{
    public List<(int Height, int Width, bool Square, int? Channels)> Images { get; private set; } = new();
    public List<(int Height, int Width, bool Square)> Patches { get; private set; } = new();
    public List<int> Embeds { get; private set; } = new();
    public List<int> Depths { get; private set; } = new();
    public List<int> Heads { get; private set; } = new();
    public List<int> Mlps { get; private set; } = new();
    public List<Expectation> Expectations { get; private set; } = new();
    public int? Preset, NumClasses, Pooling, RegisterTokens, RepresentationSize;
    public bool? ClassToken, QkvBias;
    public double? LayerScaleInit, Dropout, AttentionDropout, DropPath, PatchDropout, LayerNormEps;

    public Declaration Clone()
    {
        var clone = (Declaration)MemberwiseClone(); // copies the scalars; the lists are rebuilt so the copies stay independent
        clone.Images = new(Images); clone.Patches = new(Patches); clone.Embeds = new(Embeds); clone.Depths = new(Depths);
        clone.Heads = new(Heads); clone.Mlps = new(Mlps); clone.Expectations = new(Expectations);
        return clone;
    }
}
/// <summary>The oracle's verdict: the ShapedVit error IDs a declaration deserves (empty: valid) and, when valid, what it proves.</summary>
public sealed record Verdict(IReadOnlySet<string> Errors, bool HeadDimWarning, BigInteger ParameterCount, BigInteger Macs,
                             IReadOnlyDictionary<int, long[]> Shapes)
{
    public bool Valid => Errors.Count == 0;
}

/// <summary>
/// Decides validity from the attributes' documented meaning, independently of the generator's parser and of VitGeometry
/// (BigInteger arithmetic, its own parameter and MAC formulas for timm's layout), so a case the parser misses fails the test.
/// The error set is every reason the declaration is wrong; the parser may stop after the first stage of checks, so the test
/// asks for a non-empty subset of it.
/// </summary>
public static class DeclarationOracle
{
    public const int MaxDimension = 1 << 24;

    private static readonly (int Embed, int Depth, int Heads, int Mlp)[] Presets =
        { default, (192, 12, 3, 768), (384, 12, 6, 1536), (768, 12, 12, 3072), (1024, 24, 16, 4096), (1280, 32, 16, 5120) };

    public static Verdict Judge(Declaration d)
    {
        var errors = new HashSet<string>();
        int preset = d.Preset ?? 0;
        bool hasPreset = preset >= 1 && preset <= 5;
        if (preset != 0 && !hasPreset) errors.Add("SVIT0016");

        int pooling = d.Pooling ?? 0;
        if (pooling < 0 || pooling > 2) errors.Add("SVIT0016"); // ClassToken, Mean, AttentionPool
        foreach (double rate in new[] { d.Dropout, d.AttentionDropout, d.DropPath, d.PatchDropout }.Select(r => r ?? 0))
            if (double.IsNaN(rate) || rate < 0 || rate >= 1) errors.Add("SVIT0016");
        double eps = d.LayerNormEps ?? 1e-6;
        if (double.IsNaN(eps) || eps <= 0 || double.IsInfinity(eps)) errors.Add("SVIT0016");
        double layerScale = d.LayerScaleInit ?? 0;
        if (double.IsNaN(layerScale) || layerScale < 0 || double.IsInfinity(layerScale)) errors.Add("SVIT0016");

        if (d.Images.Count > 1 || d.Patches.Count > 1 || d.Embeds.Count > 1 || d.Depths.Count > 1 || d.Heads.Count > 1 || d.Mlps.Count > 1)
            errors.Add("SVIT0009");
        if (!hasPreset && (d.Images.Count == 0 || d.Patches.Count == 0 || d.Embeds.Count == 0 || d.Depths.Count == 0 || d.Heads.Count == 0))
            errors.Add("SVIT0008");

        // Explicit attributes win over the preset, even when what they state is wrong.
        var p = Presets[hasPreset ? preset : 0];
        long imageH = d.Images.Count > 0 ? d.Images[0].Height : hasPreset ? 224 : 0;
        long imageW = d.Images.Count > 0 ? d.Images[0].Width : hasPreset ? 224 : 0;
        long channels = d.Images.Count > 0 ? d.Images[0].Channels ?? 3 : 3;
        long patchH = d.Patches.Count > 0 ? d.Patches[0].Height : hasPreset ? 16 : 0;
        long patchW = d.Patches.Count > 0 ? d.Patches[0].Width : hasPreset ? 16 : 0;
        long embed = d.Embeds.Count > 0 ? d.Embeds[0] : p.Embed;
        long depth = d.Depths.Count > 0 ? d.Depths[0] : p.Depth;
        long heads = d.Heads.Count > 0 ? d.Heads[0] : p.Heads;
        long mlp = d.Mlps.Count > 0 && d.Mlps[0] != 0 ? d.Mlps[0] : p.Mlp; // Mlp(0) means "the default": the preset's, else 4 x embed
        long numClasses = d.NumClasses ?? 1000, registers = d.RegisterTokens ?? 0, representation = d.RepresentationSize ?? 0;
        bool classToken = d.ClassToken ?? true, qkvBias = d.QkvBias ?? true;

        bool sizesOk = true;
        void Size(long value, bool zeroAllowed)
        {
            if (value < 0 || (value == 0 && !zeroAllowed)) { errors.Add("SVIT0003"); sizesOk = false; }
            else if (value > MaxDimension) { errors.Add("SVIT0015"); sizesOk = false; }
        }
        foreach (long size in new[] { imageH, imageW, channels, patchH, patchW, embed, depth, heads }) Size(size, zeroAllowed: false);
        foreach (long size in new[] { mlp, numClasses, registers, representation }) Size(size, zeroAllowed: true);
        if (!sizesOk) return new Verdict(errors, false, 0, 0, NoShapes);

        bool divisible = true;
        if (imageH % patchH != 0 || imageW % patchW != 0) { errors.Add("SVIT0001"); divisible = false; }
        if (embed % heads != 0) { errors.Add("SVIT0002"); divisible = false; }
        if (pooling == 0 && !classToken) errors.Add("SVIT0010");
        if (!divisible) return new Verdict(errors, false, 0, 0, NoShapes);

        BigInteger D = embed, M = mlp == 0 ? 4 * embed : mlp;
        BigInteger patches = (BigInteger)(imageH / patchH) * (imageW / patchW);
        BigInteger sequence = patches + (classToken ? 1 : 0) + registers;
        BigInteger headInput = representation > 0 ? representation : embed;
        BigInteger block = 2 * D + 3 * D * D + (qkvBias ? 3 * D : 0) + D * D + D + 2 * D + D * M + M + M * D + D + (layerScale > 0 ? 2 * D : 0);
        BigInteger parameters = channels * patchH * patchW * D + D + (classToken ? D : 0) + registers * D + sequence * D + depth * block + 2 * D
                                + (representation > 0 ? D * representation + representation : 0) + (numClasses > 0 ? headInput * numClasses + numClasses : 0);
        BigInteger macs = patches * channels * patchH * patchW * D
                          + depth * (sequence * 3 * D * D + 2 * sequence * sequence * D + sequence * D * D + 2 * sequence * D * M)
                          + (representation > 0 ? D * representation : 0) + (numClasses > 0 ? headInput * numClasses : 0);
        if (pooling == 2)
        {
            // SigLIP's MAP head (timm's AttentionPoolLatent): latent, q, kv, proj, norm and an MLP as wide as the blocks'.
            parameters += D + (D * D + D) + (2 * D * D + 2 * D) + (D * D + D) + 2 * D + (D * M + M + M * D + D);
            BigInteger tokens = sequence;
            macs += D * D + tokens * 2 * D * D + 2 * tokens * D + D * D + 2 * D * M;
        }
        if (parameters > long.MaxValue || macs > long.MaxValue) { errors.Add("SVIT0015"); return new Verdict(errors, false, 0, 0, NoShapes); }

        var shapes = new Dictionary<int, long[]>
        {
            [0] = new[] { imageH, imageW, channels },
            [1] = new[] { (long)patches, embed },
            [2] = new[] { (long)sequence, embed },
            [3] = new[] { embed },
        };
        if (numClasses > 0) shapes[4] = new[] { numClasses };
        foreach (var expectation in d.Expectations)
        {
            if (!shapes.TryGetValue(expectation.Stage, out var proven)) errors.Add("SVIT0018");
            else if (!proven.SequenceEqual(expectation.Dims.Select(x => (long)x)))
            {
                errors.Add("SVIT0011");
                if (proven.Length != expectation.Dims.Length) errors.Add("SVIT0018"); // a wrong rank may be told either way
            }
        }
        return new Verdict(errors, errors.Count == 0 && embed / heads % 8 != 0, parameters, macs, shapes);
    }

    private static readonly IReadOnlyDictionary<int, long[]> NoShapes = new Dictionary<int, long[]>();
}
