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
            var primary = declaration.PrimaryConstructor;
            // A class with a primary constructor cannot call Module's constructor: its surface stands in for what code
            // uses of a module (IDisposable, eval, train) instead of deriving from it.
            bool module = !declaration.HasUserBaseClass && primary is null;
            bool standIn = !declaration.HasUserBaseClass && primary is not null;
            if (primary is not null) skip.UnionWith(primary.UserMembers);
            var errors = evaluation.Findings.Where(f => f.IsError).Select(f => f.Describe()).ToList();

            w.Line("/// <summary>");
            w.Line($"/// The Vision Transformer declared on <c>{declaration.TypeName}</c>, which has ShapedVit errors: the generated part keeps the code");
            w.Line("/// that uses it compiling, and every member that needs the proven network throws <see cref=\"global::System.InvalidOperationException\"/>.");
            w.Line("/// </summary>");
            w.Line(Emitter.GeneratedCodeAttribute);
            w.Open(module ? $"partial class {name} : {Torch}.nn.Module<{Tensor}, {Tensor}>, global::ShapedVit.IVisionTransformer<{name}>"
                 : standIn ? $"partial class {name} : global::System.IDisposable, global::ShapedVit.IVisionTransformer<{name}>"
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

            if (module || standIn)
            {
                // With a primary constructor, every other constructor must chain to it (its arguments never matter: this throws).
                string initializer = module ? $"base(nameof({name}))" : "this(" + string.Join(", ", primary!.ParameterTypes.Select(t => $"default({t})!")) + ")";
                if (!skip.Contains(".ctor") && (module || primary!.Chainable))
                {
                    w.Line("/// <summary>Throws: the declaration has ShapedVit errors.</summary>");
                    w.Line(runtimeClasses
                        ? $"public {name}(int numClasses, long? seed = null) : {initializer} => throw DeclarationErrors();"
                        : $"public {name}(long? seed = null) : {initializer} => throw DeclarationErrors();");
                    w.Line();
                }
                Member(w, skip, "forward", $"public {(module ? "override " : "")}{Tensor} forward({Tensor} images) => throw DeclarationErrors();");
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
            if (standIn)
            {
                Member(w, skip, "eval", $"public {name} eval() => throw DeclarationErrors();");
                Member(w, skip, "train", $"public {name} train(bool on = true) => throw DeclarationErrors();");
                if (!skip.Contains("Dispose"))
                {
                    w.Line("/// <summary>Nothing to release: no model was built.</summary>");
                    w.Line("public void Dispose() { }");
                    w.Line();
                }
            }
            if (module || standIn)
            {
                w.Line("global::ShapedVit.VitSpec global::ShapedVit.IVisionTransformer.Spec => throw DeclarationErrors();");
                w.Line();
                w.Line("global::ShapedVit.VitGeometry global::ShapedVit.IVisionTransformer.Geometry => throw DeclarationErrors();");
                w.Line();
                w.Line($"static {name} global::ShapedVit.IVisionTransformer<{name}>.Create(int? numClasses, long? seed) => throw DeclarationErrors();");
                w.Line();
                w.Line($"{Torch}.nn.Module<{Tensor}, {Tensor}> global::ShapedVit.IVisionTransformer.CreateLike(long? seed) => throw DeclarationErrors();");
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

        /// <summary>
        /// Each constant the model would have, with its value where the declaration determines it (<see cref="KnownSizes"/>,
        /// the geometry's own arithmetic) and null where it does not.
        /// </summary>
        private static IEnumerable<(string Type, string Name, string? Value, string Doc)> Constants(VitDeclaration declaration)
        {
            var m = declaration.Spec;
            bool read = !declaration.HasParseErrors;
            var sizes = KnownSizes.Of(m);
            string? Size(ShapeSubject subject, long value) => read && VitGeometry.IsValidSize(subject, value) ? Int(value) : null;
            // Derived sizes become int constants only within the sizes a declaration may state.
            string? Derived(long? value) => read && value <= VitGeometry.MaxDimension ? Int(value!.Value) : null;

            yield return ("int", "ImageHeight", Size(ShapeSubject.ImageHeight, m.ImageHeight), "Input height in pixels.");
            yield return ("int", "ImageWidth", Size(ShapeSubject.ImageWidth, m.ImageWidth), "Input width in pixels.");
            yield return ("int", "Channels", Size(ShapeSubject.Channels, m.Channels), "Input channels.");
            yield return ("int", "PatchHeight", Size(ShapeSubject.PatchHeight, m.PatchHeight), "Patch height in pixels.");
            yield return ("int", "PatchWidth", Size(ShapeSubject.PatchWidth, m.PatchWidth), "Patch width in pixels.");
            yield return ("int", "GridHeight", Derived(sizes.GridHeight), "Patches along the height.");
            yield return ("int", "GridWidth", Derived(sizes.GridWidth), "Patches along the width.");
            yield return ("int", "NumPatches", Derived(sizes.NumPatches), "Patch tokens per image.");
            yield return ("int", "PrefixTokens", Derived(sizes.PrefixTokens), Emitter.PrefixTokensDoc(m));
            yield return ("int", "RegisterTokens", Size(ShapeSubject.RegisterTokens, m.RegisterTokens), "Register tokens.");
            yield return ("int", "SequenceLength", Derived(sizes.SequenceLength), "Tokens the encoder sees per image.");
            yield return ("int", "EmbedDim", Size(ShapeSubject.EmbedDim, m.EmbedDim), "Token width.");
            yield return ("int", "Depth", Size(ShapeSubject.Depth, m.Depth), "Encoder blocks.");
            yield return ("int", "Heads", Size(ShapeSubject.Heads, m.Heads), "Attention heads per block.");
            yield return ("int", "HeadDim", Derived(sizes.HeadDim), "Width of one attention head.");
            yield return ("int", "MlpDim", Derived(sizes.MlpDim), "Hidden width of each block's MLP.");
            yield return ("int", "RepresentationSize", Size(ShapeSubject.RepresentationSize, m.RepresentationSize), "Width of the pre-logits layer (0: none).");
            yield return ("int", "NumClasses", Size(ShapeSubject.NumClasses, m.NumClasses), "Classes of the head (0: headless feature extractor).");
            yield return ("double", "LayerNormEps", read ? Emitter.Double(m.LayerNormEps) : null, "Epsilon of every LayerNorm.");
            yield return ("long", "ParameterCount", null, "Trainable parameters, exactly (not proven: the declaration has errors).");
            yield return ("long", "Macs", null, "Multiply-accumulates per image (not proven: the declaration has errors).");
            if (m.PatchDropout > 0) yield return ("int", "TrainingPatchTokens", null, "Patch tokens each image keeps in training (not proven: the declaration has errors).");
            yield return ("string", "ShapeTrace", null, "The proven per-image shape trace (not proven: the declaration has errors).");
        }

        private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
    }
}
