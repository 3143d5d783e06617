using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace ShapedVit.Generators
{
    /// <summary>
    /// The generated part of a declaration with ShapedVit errors, as the Regex generator emits a working fallback for an
    /// invalid pattern: the type keeps its whole public surface (constructor, forward and the other members, Spec,
    /// Geometry and every constant) so code that uses it compiles and the only errors a build shows are the SVIT ones.
    /// The sizes the declaration states validly stay constants; whatever depends on the error throws, as does every member
    /// if run, with an exception that names the errors.
    /// </summary>
    internal static class SurfaceEmitter
    {
        private const string Tensor = "global::TorchSharp.torch.Tensor";
        private const string Torch = "global::TorchSharp.torch";

        public static void Write(IndentedWriter w, VitDeclaration declaration, Evaluation evaluation)
        {
            string name = Emitter.Identifier(declaration.TypeName);
            var skip = new HashSet<string>(declaration.UserMembers);
            bool module = !declaration.HasUserBaseClass;
            var errors = evaluation.Findings.Where(f => f.IsError).Select(f => f.Describe()).ToList();

            w.Line("/// <summary>");
            w.Line($"/// The Vision Transformer declared on <c>{declaration.TypeName}</c>, which has ShapedVit errors: the generated part keeps the code");
            w.Line("/// that uses it compiling, and every member that needs the proven network throws <see cref=\"global::System.InvalidOperationException\"/>.");
            w.Line("/// </summary>");
            w.Line(Emitter.GeneratedCodeAttribute);
            w.Open(module
                ? $"partial class {name} : {Torch}.nn.Module<{Tensor}, {Tensor}>, global::ShapedVit.IVisionTransformer<{name}>"
                : $"partial class {name}");

            bool runtimeClasses = declaration.Spec.SymbolicNumClasses;
            foreach (var (type, member, value, doc) in Constants(declaration))
            {
                if (skip.Contains(member)) continue;
                if (runtimeClasses && member is "NumClasses" or "ParameterCount" or "Macs")
                {
                    // Members of the instance when the class count is the constructor's (RuntimeNumClasses = true).
                    Member(w, skip, member, $"public {type} {member} => throw DeclarationErrors();");
                    continue;
                }
                w.Line($"/// <summary>{doc}</summary>");
                w.Line(value is not null ? $"public const {type} {member} = {value};" : $"public static {type} {member} => throw DeclarationErrors();");
                w.Line();
            }

            if (module)
            {
                if (!skip.Contains(".ctor"))
                {
                    w.Line("/// <summary>Throws: the declaration has ShapedVit errors.</summary>");
                    w.Line(runtimeClasses
                        ? $"public {name}(int numClasses, long? seed = null) : base(nameof({name})) => throw DeclarationErrors();"
                        : $"public {name}(long? seed = null) : base(nameof({name})) => throw DeclarationErrors();");
                    w.Line();
                }
                Member(w, skip, "forward", $"public override {Tensor} forward({Tensor} images) => throw DeclarationErrors();");
                Member(w, skip, "ForwardFeatures", $"public {Tensor} ForwardFeatures({Tensor} images) => throw DeclarationErrors();");
                Member(w, skip, "ForwardHead", $"public {Tensor} ForwardHead({Tensor} tokens, bool preLogits = false) => throw DeclarationErrors();");
                Member(w, skip, "ForwardWithIntermediates",
                       $"public global::ShapedVit.VitIntermediates ForwardWithIntermediates({Tensor} images, bool attention = false) => throw DeclarationErrors();");
            }
            if (runtimeClasses)
            {
                Member(w, skip, "ParameterCountFor", "public static long ParameterCountFor(int numClasses) => throw DeclarationErrors();");
                Member(w, skip, "MacsFor", "public static long MacsFor(int numClasses) => throw DeclarationErrors();");
            }
            Member(w, skip, "Spec", "public static global::ShapedVit.VitSpec Spec => throw DeclarationErrors();");
            Member(w, skip, "Geometry", "public static global::ShapedVit.VitGeometry Geometry => throw DeclarationErrors();");
            if (module)
            {
                w.Line("global::ShapedVit.VitSpec global::ShapedVit.IVisionTransformer.Spec => throw DeclarationErrors();");
                w.Line();
                w.Line("global::ShapedVit.VitGeometry global::ShapedVit.IVisionTransformer.Geometry => throw DeclarationErrors();");
                w.Line();
            }

            string message = "'" + declaration.TypeName + "' cannot be used: its declaration has ShapedVit errors, so only its public surface was generated. "
                           + "Fix them and rebuild. " + string.Join(" ", errors.Select(e => e.EndsWith(".", System.StringComparison.Ordinal) ? e : e + "."));
            w.Line("private static global::System.InvalidOperationException DeclarationErrors() =>");
            w.Line("    new global::System.InvalidOperationException(" + SymbolDisplay.FormatLiteral(message, quote: true) + ");");
            w.Close();
        }

        private static void Member(IndentedWriter w, HashSet<string> skip, string member, string line)
        {
            if (skip.Contains(member)) return;
            w.Line("/// <summary>Throws: the declaration has ShapedVit errors.</summary>");
            w.Line(line);
            w.Line();
        }

        /// <summary>Each constant the model would have, with its value where the declaration proves it and null where it does not.</summary>
        private static IEnumerable<(string Type, string Name, string? Value, string Doc)> Constants(VitDeclaration declaration)
        {
            var m = declaration.Spec;
            bool read = !declaration.HasParseErrors;
            bool Positive(long v) => read && v > 0 && v <= VitGeometry.MaxDimension;
            bool NonNegative(long v) => read && v >= 0 && v <= VitGeometry.MaxDimension;
            string? Int(bool known, long v) => known ? v.ToString(CultureInfo.InvariantCulture) : null;

            bool gridHeight = Positive(m.ImageHeight) && Positive(m.PatchHeight) && m.ImageHeight % m.PatchHeight == 0;
            bool gridWidth = Positive(m.ImageWidth) && Positive(m.PatchWidth) && m.ImageWidth % m.PatchWidth == 0;
            long patches = gridHeight && gridWidth ? (long)(m.ImageHeight / m.PatchHeight) * (m.ImageWidth / m.PatchWidth) : 0;
            bool prefix = NonNegative(m.RegisterTokens);
            long prefixTokens = (m.ClassToken ? 1 : 0) + (long)m.RegisterTokens;
            bool headDim = Positive(m.EmbedDim) && Positive(m.Heads) && m.EmbedDim % m.Heads == 0;
            bool mlp = Positive(m.EmbedDim) && NonNegative(m.MlpDim) && m.EffectiveMlpDim <= VitGeometry.MaxDimension;

            yield return ("int", "ImageHeight", Int(Positive(m.ImageHeight), m.ImageHeight), "Input height in pixels.");
            yield return ("int", "ImageWidth", Int(Positive(m.ImageWidth), m.ImageWidth), "Input width in pixels.");
            yield return ("int", "Channels", Int(Positive(m.Channels), m.Channels), "Input channels.");
            yield return ("int", "PatchHeight", Int(Positive(m.PatchHeight), m.PatchHeight), "Patch height in pixels.");
            yield return ("int", "PatchWidth", Int(Positive(m.PatchWidth), m.PatchWidth), "Patch width in pixels.");
            yield return ("int", "GridHeight", Int(gridHeight, gridHeight ? m.ImageHeight / m.PatchHeight : 0), "Patches along the height.");
            yield return ("int", "GridWidth", Int(gridWidth, gridWidth ? m.ImageWidth / m.PatchWidth : 0), "Patches along the width.");
            yield return ("int", "NumPatches", Int(gridHeight && gridWidth && patches <= VitGeometry.MaxDimension, patches), "Patch tokens per image.");
            yield return ("int", "PrefixTokens", Int(prefix, prefixTokens), "Tokens before the patches: the class token and any register tokens.");
            yield return ("int", "RegisterTokens", Int(prefix, m.RegisterTokens), "Register tokens.");
            yield return ("int", "SequenceLength", Int(gridHeight && gridWidth && prefix && patches + prefixTokens <= VitGeometry.MaxDimension, patches + prefixTokens), "Tokens the encoder sees per image.");
            yield return ("int", "EmbedDim", Int(Positive(m.EmbedDim), m.EmbedDim), "Token width.");
            yield return ("int", "Depth", Int(Positive(m.Depth), m.Depth), "Encoder blocks.");
            yield return ("int", "Heads", Int(Positive(m.Heads), m.Heads), "Attention heads per block.");
            yield return ("int", "HeadDim", Int(headDim, headDim ? m.EmbedDim / m.Heads : 0), "Width of one attention head.");
            yield return ("int", "MlpDim", Int(mlp, m.EffectiveMlpDim), "Hidden width of each block's MLP.");
            yield return ("int", "RepresentationSize", Int(NonNegative(m.RepresentationSize), m.RepresentationSize), "Width of the pre-logits layer (0: none).");
            yield return ("int", "NumClasses", Int(NonNegative(m.NumClasses), m.NumClasses), "Classes of the head (0: headless feature extractor).");
            yield return ("double", "LayerNormEps", read ? Emitter.Double(m.LayerNormEps) : null, "Epsilon of every LayerNorm.");
            yield return ("long", "ParameterCount", null, "Trainable parameters, exactly (not proven: the declaration has errors).");
            yield return ("long", "Macs", null, "Multiply-accumulates per image (not proven: the declaration has errors).");
            if (m.PatchDropout > 0) yield return ("int", "TrainingPatchTokens", null, "Patch tokens each image keeps in training (not proven: the declaration has errors).");
            yield return ("string", "ShapeTrace", null, "The proven per-image shape trace (not proven: the declaration has errors).");
        }
    }
}
