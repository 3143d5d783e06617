// The shape arithmetic of a Vision Transformer: one copy, compiled into the runtime library (public) and linked
// into the source generator (internal), so the compile-time proof and the run-time checks can never disagree.
// netstandard2.0-compatible C#: no records, no spans, no APIs newer than the generator may use.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ShapedVit
{
    /// <summary>A declared Vision Transformer: the numbers the attributes give, presets already applied.</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class VitSpec : IEquatable<VitSpec>
    {
        public int ImageHeight { get; set; }
        public int ImageWidth { get; set; }
        public int Channels { get; set; } = 3;
        public int PatchHeight { get; set; }
        public int PatchWidth { get; set; }
        public int EmbedDim { get; set; }
        public int Depth { get; set; }
        public int Heads { get; set; }
        /// <summary>MLP hidden width; 0 means 4 x EmbedDim.</summary>
        public int MlpDim { get; set; }
        /// <summary>0 makes a headless feature extractor.</summary>
        public int NumClasses { get; set; } = 1000;
        public Pooling Pooling { get; set; } = Pooling.ClassToken;
        public bool ClassToken { get; set; } = true;
        public int RegisterTokens { get; set; }
        public bool QkvBias { get; set; } = true;
        public bool LayerScale { get; set; }
        /// <summary>0 = off; otherwise the paper's pre-logits Linear + Tanh of this width.</summary>
        public int RepresentationSize { get; set; }

        /// <summary>The MLP width with the default applied.</summary>
        public long EffectiveMlpDim => MlpDim == 0 ? 4L * EmbedDim : MlpDim;

        /// <summary>Fills Embed, Depth, Heads and MLP from a preset where they are still 0; image 224 and patch 16 likewise.</summary>
        public void ApplyPreset(VitPreset preset)
        {
            int embed, depth, heads, mlp;
            switch (preset)
            {
                case VitPreset.Tiny: embed = 192; depth = 12; heads = 3; mlp = 768; break;
                case VitPreset.Small: embed = 384; depth = 12; heads = 6; mlp = 1536; break;
                case VitPreset.Base: embed = 768; depth = 12; heads = 12; mlp = 3072; break;
                case VitPreset.Large: embed = 1024; depth = 24; heads = 16; mlp = 4096; break;
                case VitPreset.Huge: embed = 1280; depth = 32; heads = 16; mlp = 5120; break;
                default: return;
            }
            if (EmbedDim == 0) EmbedDim = embed;
            if (Depth == 0) Depth = depth;
            if (Heads == 0) Heads = heads;
            if (MlpDim == 0) MlpDim = mlp;
            if (ImageHeight == 0 && ImageWidth == 0) { ImageHeight = 224; ImageWidth = 224; }
            if (PatchHeight == 0 && PatchWidth == 0) { PatchHeight = 16; PatchWidth = 16; }
        }

        public bool Equals(VitSpec? other) =>
            other is not null && ImageHeight == other.ImageHeight && ImageWidth == other.ImageWidth && Channels == other.Channels &&
            PatchHeight == other.PatchHeight && PatchWidth == other.PatchWidth && EmbedDim == other.EmbedDim &&
            Depth == other.Depth && Heads == other.Heads && MlpDim == other.MlpDim && NumClasses == other.NumClasses &&
            Pooling == other.Pooling && ClassToken == other.ClassToken && RegisterTokens == other.RegisterTokens &&
            QkvBias == other.QkvBias && LayerScale == other.LayerScale && RepresentationSize == other.RepresentationSize;

        public override bool Equals(object? obj) => Equals(obj as VitSpec);

        public override int GetHashCode()
        {
            unchecked
            {
                int h = 17;
                foreach (int v in new[] { ImageHeight, ImageWidth, Channels, PatchHeight, PatchWidth, EmbedDim, Depth, Heads, MlpDim,
                                          NumClasses, (int)Pooling, ClassToken ? 1 : 0, RegisterTokens, QkvBias ? 1 : 0, LayerScale ? 1 : 0, RepresentationSize })
                    h = h * 31 + v;
                return h;
            }
        }
    }

    /// <summary>What is wrong with a spec, with the numbers needed to explain and fix it.</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    enum ShapeProblemKind
    {
        NonPositiveSize,
        ImageNotDivisibleByPatch,
        EmbedNotDivisibleByHeads,
        ClassTokenPoolingWithoutClassToken,
        HeadDimNotMultipleOf8,
        TooLarge,
    }

    /// <summary>One problem found by <see cref="VitGeometry.Check"/>.</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class ShapeProblem
    {
        public ShapeProblem(ShapeProblemKind kind, string subject, long value, long other = 0, string axis = "")
        {
            Kind = kind; Subject = subject; Value = value; Other = other; Axis = axis;
        }

        public ShapeProblemKind Kind { get; }
        /// <summary>The attribute or property at fault (for example "Patch", "Heads", "Embed").</summary>
        public string Subject { get; }
        public long Value { get; }
        public long Other { get; }
        /// <summary>"height" or "width" for per-axis problems.</summary>
        public string Axis { get; }
        public bool IsWarning => Kind == ShapeProblemKind.HeadDimNotMultipleOf8;
    }

    /// <summary>The proven shapes and sizes of a valid <see cref="VitSpec"/>.</summary>
#if SHAPEDVIT_GENERATOR
    internal
#else
    public
#endif
    sealed class VitGeometry
    {
        /// <summary>Sizes above this are refused: their products would not fit the arithmetic of tensor shapes.</summary>
        public const long MaxDimension = 1L << 24;

        private VitGeometry(VitSpec spec)
        {
            Spec = spec;
            GridHeight = spec.ImageHeight / spec.PatchHeight;
            GridWidth = spec.ImageWidth / spec.PatchWidth;
            NumPatches = GridHeight * GridWidth;
            PrefixTokens = (spec.ClassToken ? 1 : 0) + spec.RegisterTokens;
            SequenceLength = NumPatches + PrefixTokens;
            HeadDim = spec.EmbedDim / spec.Heads;
            MlpDim = spec.EffectiveMlpDim;
            FeatureDim = spec.EmbedDim;
            HeadInputDim = spec.RepresentationSize > 0 ? spec.RepresentationSize : spec.EmbedDim;
            ParameterCount = checked(CountParameters());
            Macs = checked(CountMacs());
        }

        public VitSpec Spec { get; }
        public long GridHeight { get; }
        public long GridWidth { get; }
        public long NumPatches { get; }
        /// <summary>Class token (if any) plus register tokens.</summary>
        public long PrefixTokens { get; }
        public long SequenceLength { get; }
        public long HeadDim { get; }
        public long MlpDim { get; }
        public long FeatureDim { get; }
        public long HeadInputDim { get; }
        /// <summary>Exact number of trainable scalars, timm's layout.</summary>
        public long ParameterCount { get; }
        /// <summary>Multiply-accumulates per image: convolution, linears and the two attention matmuls (as torchvision and timm count).</summary>
        public long Macs { get; }

        /// <summary>Checks a spec; returns the errors and warnings (warnings do not stop generation).</summary>
        public static List<ShapeProblem> Check(VitSpec spec)
        {
            var problems = new List<ShapeProblem>();
            void Positive(string subject, long value)
            {
                if (value <= 0) problems.Add(new ShapeProblem(ShapeProblemKind.NonPositiveSize, subject, value));
                else if (value > MaxDimension) problems.Add(new ShapeProblem(ShapeProblemKind.TooLarge, subject, value, MaxDimension));
            }
            void NonNegative(string subject, long value)
            {
                if (value < 0) problems.Add(new ShapeProblem(ShapeProblemKind.NonPositiveSize, subject, value));
                else if (value > MaxDimension) problems.Add(new ShapeProblem(ShapeProblemKind.TooLarge, subject, value, MaxDimension));
            }

            Positive("Image.Height", spec.ImageHeight);
            Positive("Image.Width", spec.ImageWidth);
            Positive("Image.Channels", spec.Channels);
            Positive("Patch.Height", spec.PatchHeight);
            Positive("Patch.Width", spec.PatchWidth);
            Positive("Embed", spec.EmbedDim);
            Positive("Depth", spec.Depth);
            Positive("Heads", spec.Heads);
            NonNegative("Mlp", spec.MlpDim);
            NonNegative("NumClasses", spec.NumClasses);
            NonNegative("RegisterTokens", spec.RegisterTokens);
            NonNegative("RepresentationSize", spec.RepresentationSize);
            if (problems.Count > 0) return problems;

            if (spec.ImageHeight % spec.PatchHeight != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.ImageNotDivisibleByPatch, "Patch", spec.ImageHeight, spec.PatchHeight, "height"));
            if (spec.ImageWidth % spec.PatchWidth != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.ImageNotDivisibleByPatch, "Patch", spec.ImageWidth, spec.PatchWidth, "width"));
            if (spec.EmbedDim % spec.Heads != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.EmbedNotDivisibleByHeads, "Heads", spec.EmbedDim, spec.Heads));
            if (spec.Pooling == Pooling.ClassToken && !spec.ClassToken)
                problems.Add(new ShapeProblem(ShapeProblemKind.ClassTokenPoolingWithoutClassToken, "ClassToken", 0));
            if (problems.Count > 0) return problems;

            // Counting parameters and MACs in checked arithmetic proves every size of the network fits a long.
            try { _ = new VitGeometry(spec); }
            catch (OverflowException)
            {
                problems.Add(new ShapeProblem(ShapeProblemKind.TooLarge, "Model", spec.EmbedDim, MaxDimension));
                return problems;
            }

            if ((spec.EmbedDim / spec.Heads) % 8 != 0)
                problems.Add(new ShapeProblem(ShapeProblemKind.HeadDimNotMultipleOf8, "Heads", spec.EmbedDim / spec.Heads, spec.Heads));
            return problems;
        }

        /// <summary>The geometry of a spec, or null (with the problems) when it has errors.</summary>
        public static VitGeometry? TryCreate(VitSpec spec, out List<ShapeProblem> problems)
        {
            problems = Check(spec);
            foreach (var problem in problems)
                if (!problem.IsWarning) return null;
            return new VitGeometry(spec);
        }

        /// <summary>The geometry of a spec; throws <see cref="ArgumentException"/> naming every error.</summary>
        public static VitGeometry Create(VitSpec spec)
        {
            var geometry = TryCreate(spec, out var problems);
            if (geometry is null)
            {
                var text = new StringBuilder("Invalid Vision Transformer shape:");
                foreach (var problem in problems)
                    if (!problem.IsWarning) text.Append(' ').Append(Describe(problem)).Append('.');
                throw new ArgumentException(text.ToString(), nameof(spec));
            }
            return geometry;
        }

        /// <summary>One sentence naming the values at fault.</summary>
        public static string Describe(ShapeProblem problem)
        {
            switch (problem.Kind)
            {
                case ShapeProblemKind.NonPositiveSize:
                    return problem.Subject + " must be " + (problem.Subject == "Mlp" || problem.Subject == "NumClasses" || problem.Subject == "RegisterTokens" || problem.Subject == "RepresentationSize" ? "zero or positive" : "positive") + ", but is " + Num(problem.Value);
                case ShapeProblemKind.TooLarge:
                    return problem.Subject + " is too large (" + Num(problem.Value) + "); sizes above " + Num(problem.Other) + " cannot be represented";
                case ShapeProblemKind.ImageNotDivisibleByPatch:
                    return "image " + problem.Axis + " " + Num(problem.Value) + " is not divisible by patch " + problem.Axis + " " + Num(problem.Other);
                case ShapeProblemKind.EmbedNotDivisibleByHeads:
                    return "embed dimension " + Num(problem.Value) + " is not divisible by " + Num(problem.Other) + " heads";
                case ShapeProblemKind.ClassTokenPoolingWithoutClassToken:
                    return "Pooling.ClassToken needs a class token, but ClassToken = false";
                case ShapeProblemKind.HeadDimNotMultipleOf8:
                    return "head dimension " + Num(problem.Value) + " is not a multiple of 8";
                default:
                    return problem.Kind.ToString();
            }
        }

        /// <summary>The divisors of <paramref name="n"/> closest to <paramref name="target"/>, nearest first (ties: smaller first).</summary>
        public static List<long> NearestDivisors(long n, long target, int count)
        {
            var divisors = Divisors(n);
            divisors.Sort((a, b) =>
            {
                int byDistance = Math.Abs(a - target).CompareTo(Math.Abs(b - target));
                return byDistance != 0 ? byDistance : a.CompareTo(b);
            });
            if (divisors.Count > count) divisors.RemoveRange(count, divisors.Count - count);
            return divisors;
        }

        /// <summary>
        /// Patch tokens a training forward keeps under patch dropout at <paramref name="rate"/> (timm's PatchDropout:
        /// max(1, floor(patches x (1 - rate))), prefix tokens always kept); all of them at rate 0 and in evaluation.
        /// </summary>
        public static long PatchTokensKept(long numPatches, double rate) =>
            rate <= 0 ? numPatches : Math.Max(1L, (long)Math.Floor(numPatches * (1.0 - rate)));

        /// <summary>All positive divisors of n in ascending order (n up to <see cref="MaxDimension"/>).</summary>
        public static List<long> Divisors(long n)
        {
            var small = new List<long>();
            var large = new List<long>();
            for (long d = 1; d * d <= n; d++)
            {
                if (n % d != 0) continue;
                small.Add(d);
                if (d != n / d) large.Add(n / d);
            }
            large.Reverse();
            small.AddRange(large);
            return small;
        }

        /// <summary>The per-image shape at a stage, as the paper writes it (Image is [H, W, C]); null when the stage does not exist (Logits of a headless model).</summary>
        public long[]? ShapeAt(Stage stage)
        {
            switch (stage)
            {
                case Stage.Image: return new long[] { Spec.ImageHeight, Spec.ImageWidth, Spec.Channels };
                case Stage.PatchTokens: return new long[] { NumPatches, Spec.EmbedDim };
                case Stage.Tokens: return new long[] { SequenceLength, Spec.EmbedDim };
                case Stage.Features: return new long[] { FeatureDim };
                case Stage.Logits: return Spec.NumClasses > 0 ? new long[] { Spec.NumClasses } : null;
                default: return null;
            }
        }

        /// <summary>The proven trace, for example "[224,224,3] -> [196,768] -> [197,768] -> 12 x block [197,768] -> [768] -> [1000]".</summary>
        public string Trace
        {
            get
            {
                var text = new StringBuilder();
                text.Append(FormatShape(ShapeAt(Stage.Image)!)).Append(" -> ").Append(FormatShape(ShapeAt(Stage.PatchTokens)!));
                text.Append(" -> ").Append(FormatShape(ShapeAt(Stage.Tokens)!));
                text.Append(" -> ").Append(Spec.Depth.ToString(CultureInfo.InvariantCulture)).Append(" x block ").Append(FormatShape(ShapeAt(Stage.Tokens)!));
                text.Append(" -> ").Append(FormatShape(ShapeAt(Stage.Features)!));
                if (Spec.RepresentationSize > 0) text.Append(" -> ").Append(FormatShape(new long[] { Spec.RepresentationSize }));
                if (Spec.NumClasses > 0) text.Append(" -> ").Append(FormatShape(ShapeAt(Stage.Logits)!));
                return text.ToString();
            }
        }

        public static string FormatShape(IReadOnlyList<long> dims)
        {
            var text = new StringBuilder("[");
            for (int i = 0; i < dims.Count; i++)
            {
                if (i > 0) text.Append(',');
                text.Append(dims[i].ToString(CultureInfo.InvariantCulture));
            }
            return text.Append(']').ToString();
        }

        private long CountParameters()
        {
            checked {
            long d = Spec.EmbedDim, m = MlpDim;
            long total = (long)Spec.Channels * Spec.PatchHeight * Spec.PatchWidth * d + d; // patch_embed.proj
            if (Spec.ClassToken) total += d;                                              // cls_token
            total += Spec.RegisterTokens * d;                                             // reg_token
            total += SequenceLength * d;                                                  // pos_embed
            long block = 2 * d                                                            // norm1
                       + d * 3 * d + (Spec.QkvBias ? 3 * d : 0)                           // attn.qkv
                       + d * d + d                                                        // attn.proj
                       + 2 * d                                                            // norm2
                       + d * m + m + m * d + d                                            // mlp.fc1, mlp.fc2
                       + (Spec.LayerScale ? 2 * d : 0);                                   // ls1, ls2
            total += Spec.Depth * block;
            total += 2 * d;                                                               // norm or fc_norm
            if (Spec.RepresentationSize > 0) total += d * Spec.RepresentationSize + Spec.RepresentationSize; // pre_logits.fc
            if (Spec.NumClasses > 0) total += HeadInputDim * Spec.NumClasses + Spec.NumClasses;             // head
            return total;
            }
        }

        private long CountMacs()
        {
            checked {
            long d = Spec.EmbedDim, n = SequenceLength;
            long total = NumPatches * Spec.Channels * Spec.PatchHeight * Spec.PatchWidth * d; // patch embedding
            long block = n * d * 3 * d      // qkv
                       + n * n * d          // q @ k^T over all heads
                       + n * n * d          // attention @ v
                       + n * d * d          // proj
                       + 2 * n * d * MlpDim; // fc1, fc2
            total += Spec.Depth * block;
            if (Spec.RepresentationSize > 0) total += d * Spec.RepresentationSize;
            if (Spec.NumClasses > 0) total += HeadInputDim * Spec.NumClasses;
            return total;
            }
        }

        private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
