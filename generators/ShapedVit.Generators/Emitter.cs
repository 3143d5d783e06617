using System.Collections.Generic;
using System.Globalization;
using System.Reflection;

namespace ShapedVit.Generators
{
    /// <summary>
    /// Writes the TorchSharp module of one proven <see cref="VitDeclaration"/>, with its shapes as comments beside each step;
    /// for a declaration with errors, <see cref="SurfaceEmitter"/> writes its public surface instead.
    /// </summary>
    internal static class Emitter
    {
        private const string Tensor = "global::TorchSharp.torch.Tensor";
        private const string Torch = "global::TorchSharp.torch";
        private const string Layers = "global::ShapedVit.Layers";

        private static readonly string Version =
            typeof(Emitter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
            ?? typeof(Emitter).Assembly.GetName().Version?.ToString() ?? "0.0.0";

        /// <summary>
        /// Every member name the generated part may declare; the parser reports user members that reuse one (SVIT0019). The
        /// stand-ins of a primary constructor's surface (Dispose, eval, train) are left out where the class declares them instead.
        /// </summary>
        public static readonly string[] GeneratedMemberNames =
        {
            "ImageHeight", "ImageWidth", "Channels", "PatchHeight", "PatchWidth", "GridHeight", "GridWidth", "NumPatches",
            "PrefixTokens", "RegisterTokens", "SequenceLength", "EmbedDim", "Depth", "Heads", "HeadDim", "MlpDim",
            "RepresentationSize", "NumClasses", "LayerNormEps", "ParameterCount", "Macs", "ShapeTrace", "TrainingPatchTokens",
            "patch_embed", "cls_token", "dist_token", "reg_token", "pos_embed", "pos_drop", "patch_drop", "norm_pre", "blocks", "norm",
            "attn_pool", "fc_norm", "pre_logits", "head_drop", "head", "head_dist", "geometry", "rope",
            "forward", "ForwardFeatures", "ForwardHead", "ForwardWithIntermediates", "EmbedTokens", "CheckImages", "Spec", "Geometry",
            "DeclarationErrors", "ParameterCountFor", "MacsFor", "instanceGeometry",
        };

        /// <summary>
        /// The using directives of a generated file whose names cannot clash (<see cref="VitDeclaration.ShortNames"/>), written
        /// inside its namespace as the Regex generator writes its own code, and the fully qualified prefixes they let it drop
        /// (longest first). The emitters write every name fully qualified; the writer shortens it.
        /// </summary>
        internal static readonly string[] UsingDirectives =
        {
            "using global::ShapedVit;", "using global::ShapedVit.Layers;", "using global::System;", "using global::System.CodeDom.Compiler;",
            "using global::System.Collections.Generic;", "using global::TorchSharp;", "using global::TorchSharp.Modules;",
            "using Tensor = global::TorchSharp.torch.Tensor;",
        };

        internal static readonly (string Prefix, string Replacement)[] Shortenings =
        {
            ("global::TorchSharp.torch.Tensor", "Tensor"), ("global::TorchSharp.torch", "torch"), ("global::TorchSharp.Modules.", ""),
            ("global::ShapedVit.Layers.", ""), ("global::ShapedVit.", ""), ("global::System.CodeDom.Compiler.", ""),
            ("global::System.Collections.Generic.", ""), ("global::System.", ""),
        };

        /// <summary>The namespaces <see cref="UsingDirectives"/> import.</summary>
        internal static readonly string[] ImportedNamespaces =
            { "ShapedVit", "ShapedVit.Layers", "System", "System.CodeDom.Compiler", "System.Collections.Generic", "TorchSharp", "TorchSharp.Modules" };

        /// <summary>
        /// Every simple name the shortened code uses (what the prefixes leave), and the alias <c>Tensor</c>. The parser keeps the
        /// names fully qualified where the class, its containing types or its namespace declare one of these, or the imported
        /// namespaces do not declare it exactly once: a user type named <c>Tensor</c> or <c>torch</c> changes nothing.
        /// </summary>
        internal static readonly string[] ShortNames =
        {
            "Tensor", "torch",
            "Parameter", "Dropout", "LayerNorm", "Linear", "ModuleList",
            "PatchEmbed", "PatchDropout", "EncoderBlock", "PreLogits", "VitInitializer", "InputChecks", "Scalars",
            "AttentionPoolLatent", "DynamicPositionEmbedding", "Mlp", "Norms", "RotaryEmbedding",
            "NormKind", "PositionEmbeddingKind", "FinalNorm", "MlpActivation", "MlpGate",
            "IVisionTransformer", "VitSpec", "VitGeometry", "VitIntermediates", "Pooling",
            "GeneratedCode", "GeneratedCodeAttribute", "List",
            "ArgumentException", "ArgumentNullException", "ArgumentOutOfRangeException", "InvalidOperationException", "IDisposable",
        };

        /// <summary>The generated part, or null where the type cannot be extended or its attributes do not compile (C# reports why, and so does the analyzer).</summary>
        public static string? Emit(VitDeclaration declaration)
        {
            if (!declaration.TypeCanBeExtended) return null;
            // Attribute arguments that do not compile (SVIT0017) come with C# errors of their own, which members of a surface
            // would only change (an unknown name becomes a member used wrongly): generate nothing until they compile.
            foreach (var problem in declaration.Problems)
                if (problem.Id == DiagnosticDescriptors.UnreadableAttribute.Id) return null;
            var evaluation = ShapeDiagnostics.Evaluate(declaration, withFixes: false);
            var w = new IndentedWriter();
            w.Line("// <auto-generated/>");
            w.Line("#nullable enable");
            w.Line();
            if (declaration.Namespace is not null) w.Open("namespace " + declaration.Namespace);
            if (declaration.ShortNames && declaration.Namespace is not null)
            {
                foreach (var directive in UsingDirectives) w.Line(directive);
                w.Line();
                w.Shorten(Shortenings);
            }
            foreach (var outer in declaration.ContainingTypes) w.Open(PartialHeader(outer));
            if (evaluation.Geometry is { } g) WriteModel(w, declaration, g);
            else SurfaceEmitter.Write(w, declaration, evaluation);
            foreach (var _ in declaration.ContainingTypes) w.Close();
            if (declaration.Namespace is not null) w.Close();
            return w.ToString();
        }

        internal static string GeneratedCodeAttribute => $"[global::System.CodeDom.Compiler.GeneratedCode(\"ShapedVit.Generators\", \"{Version}\")]";

        private static void WriteModel(IndentedWriter w, VitDeclaration declaration, VitGeometry g)
        {
            var model = declaration.Spec;
            string name = Identifier(declaration.TypeName);
            WriteClassDocumentation(w, declaration.TypeName, model, g);
            w.Line(GeneratedCodeAttribute);
            w.Open($"partial class {name} : {Torch}.nn.Module<{Tensor}, {Tensor}>, global::ShapedVit.IVisionTransformer<{name}>");
            WriteConstants(w, model, g);
            WriteFields(w, model, g);
            WriteConstructor(w, name, model, g);
            WriteForward(w, model, g);
            WriteForwardFeatures(w, model, g);
            WriteForwardHead(w, model, g);
            WriteForwardWithIntermediates(w, model, g);
            WriteEmbedTokens(w, name, model, g);
            WriteSpec(w, model);
            WriteFactory(w, name, model, declaration.IsAbstract);
            w.Close();
        }

        private static void WriteClassDocumentation(IndentedWriter w, string typeName, VitSpec m, VitGeometry g)
        {
            w.Line("/// <summary>");
            w.Line($"/// The Vision Transformer declared on <c>{typeName}</c>: {Describe(m)}.");
            w.Line("/// </summary>");
            w.Line("/// <remarks>");
            w.Line("/// Shapes proven at compile time, per image (the batch dimension is left out):");
            w.Line("/// <code>");
            foreach (var step in g.Steps)
                w.Line($"/// {step.Label,-14} {step.ShapeText,-14} {step.Note}".TrimEnd());
            w.Line("/// </code>");
            w.Line(m.SymbolicNumClasses
                ? $"/// {Count(g.ParameterCount)} + {Count(g.HeadParametersPerClass)} x N parameters, {Count(g.Macs)} + {Count(g.HeadMacsPerClass)} x N multiply-accumulates per image."
                : $"/// {Count(g.ParameterCount)} parameters, {Count(g.Macs)} multiply-accumulates per image.");
            w.Line("/// </remarks>");
        }

        /// <summary>The token shape a training forward has under patch dropout: prefix tokens and the patch tokens kept.</summary>
        private static string TrainingTokens(VitSpec m, VitGeometry g) => Shape("B", g.PrefixTokens + g.TrainingPatchTokens, m.EmbedDim);

        private static string Describe(VitSpec m)
        {
            string image = m.ImageHeight == m.ImageWidth ? $"{m.ImageHeight}" : $"{m.ImageHeight}x{m.ImageWidth}";
            string patch = m.PatchHeight == m.PatchWidth ? $"{m.PatchHeight}" : $"{m.PatchHeight}x{m.PatchWidth}";
            string head = m.SymbolicNumClasses ? "N classes (the constructor's numClasses)" : m.NumClasses > 0 ? $"{m.NumClasses} classes" : "headless";
            return $"{image} px, {m.Channels} channel(s), patch {patch}, {m.EmbedDim} wide, {m.Depth} blocks, {m.Heads} heads, {head}{DescribeBlocks(m)}";
        }

        private static void WriteConstants(IndentedWriter w, VitSpec m, VitGeometry g)
        {
            void Const(string type, string name, string value, string doc)
            {
                w.Line($"/// <summary>{doc}</summary>");
                w.Line($"public const {type} {name} = {value};");
                w.Line();
            }

            if (m.DynamicImageSize)
            {
                // The constants stay the declared (reference) size's: what preprocessing resizes to and the position embedding
                // was learned at. The forwards take any size made of whole patches.
                Const("int", "ImageHeight", Int(m.ImageHeight), "Declared input height in pixels, the size the position embedding is stored for (DynamicSize: any multiple of PatchHeight is accepted).");
                Const("int", "ImageWidth", Int(m.ImageWidth), "Declared input width in pixels, the size the position embedding is stored for (DynamicSize: any multiple of PatchWidth is accepted).");
            }
            else
            {
                Const("int", "ImageHeight", Int(m.ImageHeight), "Input height in pixels.");
                Const("int", "ImageWidth", Int(m.ImageWidth), "Input width in pixels.");
            }
            string atDeclared = m.DynamicImageSize ? " at the declared image size" : "";
            Const("int", "Channels", Int(m.Channels), "Input channels.");
            Const("int", "PatchHeight", Int(m.PatchHeight), "Patch height in pixels.");
            Const("int", "PatchWidth", Int(m.PatchWidth), "Patch width in pixels.");
            Const("int", "GridHeight", Int(g.GridHeight), "Patches along the height" + atDeclared + ".");
            Const("int", "GridWidth", Int(g.GridWidth), "Patches along the width" + atDeclared + ".");
            Const("int", "NumPatches", Int(g.NumPatches), "Patch tokens per image" + atDeclared + ".");
            Const("int", "PrefixTokens", Int(g.PrefixTokens), PrefixTokensDoc(m));
            Const("int", "RegisterTokens", Int(m.RegisterTokens), "Register tokens.");
            Const("int", "SequenceLength", Int(g.SequenceLength), "Tokens the encoder sees per image" + atDeclared + ".");
            Const("int", "EmbedDim", Int(m.EmbedDim), "Token width.");
            Const("int", "Depth", Int(m.Depth), "Encoder blocks.");
            Const("int", "Heads", Int(m.Heads), "Attention heads per block.");
            Const("int", "HeadDim", Int(g.HeadDim), "Width of one attention head.");
            Const("int", "MlpDim", Int(g.MlpDim), "Hidden width of each block's MLP.");
            Const("int", "RepresentationSize", Int(m.RepresentationSize), "Width of the pre-logits layer (0: none).");
            if (m.SymbolicNumClasses)
            {
                // The class count N is the constructor's: everything else stays a constant, the counts are N's functions.
                w.Line("/// <summary>Classes of the head: the constructor's <c>numClasses</c> (declared RuntimeNumClasses = true).</summary>");
                w.Line("public int NumClasses { get; }");
                w.Line();
                Const("double", "LayerNormEps", Double(m.LayerNormEps), "Epsilon of every LayerNorm.");
                w.Line("/// <summary>Trainable parameters, exactly, with <paramref name=\"numClasses\"/> classes.</summary>");
                w.Line($"public static long ParameterCountFor(int numClasses) => {Long(g.ParameterCount)} + {Long(g.HeadParametersPerClass)} * numClasses;");
                w.Line();
                w.Line("/// <summary>Multiply-accumulates per image with <paramref name=\"numClasses\"/> classes.</summary>");
                w.Line($"public static long MacsFor(int numClasses) => {Long(g.Macs)} + {Long(g.HeadMacsPerClass)} * numClasses;");
                w.Line();
                w.Line("/// <summary>Trainable parameters of this model, exactly.</summary>");
                w.Line("public long ParameterCount => ParameterCountFor(NumClasses);");
                w.Line();
                w.Line("/// <summary>Multiply-accumulates per image of this model (convolution, linears and both attention matmuls).</summary>");
                w.Line("public long Macs => MacsFor(NumClasses);");
                w.Line();
            }
            else
            {
                Const("int", "NumClasses", Int(m.NumClasses), "Classes of the head (0: headless feature extractor).");
                Const("double", "LayerNormEps", Double(m.LayerNormEps), "Epsilon of every LayerNorm.");
                Const("long", "ParameterCount", Long(g.ParameterCount), "Trainable parameters, exactly.");
                Const("long", "Macs", Long(g.Macs), "Multiply-accumulates per image (convolution, linears and both attention matmuls).");
            }
            if (m.PatchDropout > 0)
                Const("int", "TrainingPatchTokens", Int(g.TrainingPatchTokens),
                      $"Patch tokens each image keeps in training (patch dropout {Double(m.PatchDropout)}); evaluation sees all NumPatches.");
            Const("string", "ShapeTrace", "\"" + g.Trace + "\"", "The proven per-image shape trace.");
        }

        /// <summary>The final norm's place with <see cref="FinalNorm.Auto"/> resolved as timm does: after pooling for mean pooling, on the tokens otherwise.</summary>
        internal static FinalNorm ResolvedFinalNorm(VitSpec m) =>
            m.FinalNorm != FinalNorm.Auto ? m.FinalNorm : m.Pooling == Pooling.Mean ? FinalNorm.AfterPooling : FinalNorm.BeforePooling;

        internal static string PrefixTokensDoc(VitSpec m) => m.DistillationToken
            ? "Tokens before the patches: the class token, the distillation token and any register tokens."
            : "Tokens before the patches: the class token and any register tokens.";

        /// <summary>The norm layer's type and its construction, D wide (every norm of the model is of the declared kind).</summary>
        private static string NormType(VitSpec m) =>
            m.Norm == NormKind.LayerNorm ? "global::TorchSharp.Modules.LayerNorm" : $"{Torch}.nn.Module<{Tensor}, {Tensor}>";

        private static string NewNorm(VitSpec m) =>
            m.Norm == NormKind.LayerNorm ? $"{Torch}.nn.LayerNorm(EmbedDim, LayerNormEps)" : $"{Layers}.Norms.Create(global::ShapedVit.NormKind.{m.Norm}, EmbedDim, LayerNormEps)";

        /// <summary>Shapes as the comments write them: the declared numbers, or the input's grid where the image size is dynamic.</summary>
        private static string PatchCount(VitSpec m, VitGeometry g) =>
            m.DynamicImageSize ? $"(H/{m.PatchHeight})(W/{m.PatchWidth})" : Int(g.NumPatches);

        private static string TokenCount(VitSpec m, VitGeometry g) =>
            m.DynamicImageSize ? (g.PrefixTokens > 0 ? Int(g.PrefixTokens) + "+" : "") + PatchCount(m, g) : Int(g.SequenceLength);

        private static string ImagesShape(VitSpec m) =>
            m.DynamicImageSize ? Shape("B", m.Channels, "H", "W") : Shape("B", m.Channels, m.ImageHeight, m.ImageWidth);

        private static string TokensShape(VitSpec m, VitGeometry g) => Shape("B", TokenCount(m, g), m.EmbedDim);

        private static void WriteFields(IndentedWriter w, VitSpec m, VitGeometry g)
        {
            var finalNorm = ResolvedFinalNorm(m);
            string tokens = TokensShape(m, g);
            w.Line("// Submodules and parameters. Field names are the state_dict keys, in timm's layout, so timm checkpoints map 1:1.");
            w.Line($"private readonly {Layers}.PatchEmbed patch_embed;", $"{ImagesShape(m)} -> {Shape("B", PatchCount(m, g), m.EmbedDim)}");
            if (m.ClassToken) w.Line("private readonly global::TorchSharp.Modules.Parameter cls_token;", Shape(1, 1, m.EmbedDim));
            if (m.DistillationToken) w.Line("private readonly global::TorchSharp.Modules.Parameter dist_token;", Shape(1, 1, m.EmbedDim) + ", DeiT's distillation token");
            if (m.RegisterTokens > 0) w.Line("private readonly global::TorchSharp.Modules.Parameter reg_token;", Shape(1, m.RegisterTokens, m.EmbedDim));
            if (m.PositionEmbedding == PositionEmbeddingKind.Learned)
                w.Line("private readonly global::TorchSharp.Modules.Parameter pos_embed;", Shape(1, g.PositionEmbeddingTokens, m.EmbedDim)
                       + (m.PositionEmbeddingIncludesPrefix ? "" : ", the patches only")
                       + (m.DynamicImageSize ? ", resampled to the input's grid" : ""));
            w.Line("private readonly global::TorchSharp.Modules.Dropout pos_drop;");
            if (m.PatchDropout > 0)
                w.Line($"private readonly {Layers}.PatchDropout patch_drop;", $"training: {tokens} -> {TrainingTokens(m, g)}");
            if (m.PreNorm) w.Line($"private readonly {NormType(m)} norm_pre;", "before the blocks");
            if (m.Rotary) w.Line($"private readonly {Layers}.RotaryEmbedding rope;", "no state: sin/cos of each forward's patch grid, read by every block's attention");
            w.Line($"private readonly global::TorchSharp.Modules.ModuleList<{Layers}.EncoderBlock> blocks;", $"{m.Depth} x {tokens}");
            if (finalNorm == FinalNorm.BeforePooling) w.Line($"private readonly {NormType(m)} norm;");
            if (m.Pooling == Pooling.AttentionPool)
                w.Line($"private readonly {Layers}.AttentionPoolLatent attn_pool;", $"{Shape("B", PatchCount(m, g), m.EmbedDim)} -> {Shape("B", m.EmbedDim)}");
            if (finalNorm == FinalNorm.AfterPooling) w.Line($"private readonly {NormType(m)} fc_norm;", "after pooling");
            if (m.RepresentationSize > 0) w.Line($"private readonly {Layers}.PreLogits pre_logits;", $"[B,{m.EmbedDim}] -> [B,{m.RepresentationSize}]");
            if (m.SymbolicNumClasses)
            {
                // numClasses 0 builds it headless, as timm's num_classes=0 (its head an Identity): no head modules then.
                w.Line("private readonly global::TorchSharp.Modules.Dropout? head_drop;");
                w.Line("private readonly global::TorchSharp.Modules.Linear? head;", $"[B,{g.HeadInputDim}] -> [B,{Classes(m)}]; null when N = 0");
                if (m.DistillationToken)
                    w.Line("private readonly global::TorchSharp.Modules.Linear? head_dist;", $"[B,{g.HeadInputDim}] -> [B,{Classes(m)}], reads the distillation token; null when N = 0");
            }
            else if (HasHead(m))
            {
                w.Line("private readonly global::TorchSharp.Modules.Dropout head_drop;");
                w.Line("private readonly global::TorchSharp.Modules.Linear head;", $"[B,{g.HeadInputDim}] -> [B,{Classes(m)}]");
                if (m.DistillationToken)
                    w.Line("private readonly global::TorchSharp.Modules.Linear head_dist;", $"[B,{g.HeadInputDim}] -> [B,{Classes(m)}], reads the distillation token");
            }
            w.Line("private static global::ShapedVit.VitGeometry? geometry;");
            w.Line();
        }

        private static void WriteConstructor(IndentedWriter w, string name, VitSpec m, VitGeometry g)
        {
            var finalNorm = ResolvedFinalNorm(m);
            w.Line("/// <summary>Creates the model with timm's initialisation; the same <paramref name=\"seed\"/> gives the same weights.</summary>");
            if (m.SymbolicNumClasses)
            {
                w.Line("/// <param name=\"numClasses\">Classes of the head, a run-time fact (every other shape is proven); 0 builds it headless, as timm's <c>num_classes=0</c>.</param>");
                w.Line("/// <param name=\"seed\">The seed of the initialisation; null draws from torch's global generator.</param>");
                w.Open($"public {name}(int numClasses, long? seed = null) : base(nameof({name}))");
                w.Line("if (numClasses < 0) throw new global::System.ArgumentOutOfRangeException(nameof(numClasses), numClasses, \"The class count must be positive, or 0 for a headless model.\");");
                w.Line("NumClasses = numClasses;");
            }
            else w.Open($"public {name}(long? seed = null) : base(nameof({name}))");
            w.Line($"patch_embed = new {Layers}.PatchEmbed(Channels, EmbedDim, PatchHeight, PatchWidth{(m.PatchBias ? "" : ", bias: false")});");
            if (m.ClassToken) w.Line($"cls_token = {Torch}.nn.Parameter({Torch}.zeros(1, 1, EmbedDim));");
            if (m.DistillationToken) w.Line($"dist_token = {Torch}.nn.Parameter({Torch}.zeros(1, 1, EmbedDim));");
            if (m.RegisterTokens > 0) w.Line($"reg_token = {Torch}.nn.Parameter({Torch}.zeros(1, RegisterTokens, EmbedDim));");
            if (m.PositionEmbedding == PositionEmbeddingKind.Learned)
                w.Line($"pos_embed = {Torch}.nn.Parameter({Torch}.zeros(1, {(m.PositionEmbeddingIncludesPrefix ? "SequenceLength" : "NumPatches")}, EmbedDim));");
            w.Line($"pos_drop = {Torch}.nn.Dropout({Double(m.Dropout)});");
            if (m.PatchDropout > 0) w.Line($"patch_drop = new {Layers}.PatchDropout({Double(m.PatchDropout)}, PrefixTokens);");
            if (m.PreNorm) w.Line($"norm_pre = {NewNorm(m)};");
            if (m.Rotary)
                w.Line($"rope = new {Layers}.RotaryEmbedding(HeadDim{(m.RotaryReferenceGrid > 0 ? ", referenceGrid: " + Int(m.RotaryReferenceGrid) : "")});");
            w.Line($"var encoderBlocks = new {Layers}.EncoderBlock[Depth];");
            w.Open("for (int i = 0; i < Depth; i++)");
            if (m.DropPath > 0)
            {
                w.Line("// Stochastic depth grows linearly from 0 at the first block to DropPath at the last (timm's schedule).");
                w.Line($"double dropPath = Depth > 1 ? {Double(m.DropPath)} * i / (Depth - 1) : 0.0;");
            }
            string dropPath = m.DropPath > 0 ? "dropPath" : "0.0";
            w.Line($"encoderBlocks[i] = new {Layers}.EncoderBlock(EmbedDim, Heads, MlpDim, qkvBias: {Bool(m.QkvBias)}, layerScaleInit: {Double(m.LayerScaleInit)},");
            var options = BlockOptions(m);
            w.Line($"    dropout: {Double(m.Dropout)}, attentionDropout: {Double(m.AttentionDropout)}, dropPath: {dropPath}, layerNormEps: LayerNormEps{(options.Count > 0 ? "," : ");")}");
            if (options.Count > 0) w.Line($"    {string.Join(", ", options)});");
            w.Close();
            w.Line($"blocks = {Torch}.nn.ModuleList(encoderBlocks);");
            if (finalNorm == FinalNorm.BeforePooling) w.Line($"norm = {NewNorm(m)};");
            if (m.Pooling == Pooling.AttentionPool)
            {
                // timm's VisionTransformer builds its attention pool with the model's heads, MLP width, norm and activation.
                string activation = m.MlpActivation == MlpActivation.Gelu ? "" : $", activation: global::ShapedVit.MlpActivation.{m.MlpActivation}";
                w.Line($"attn_pool = new {Layers}.AttentionPoolLatent(EmbedDim, Heads, {NewNorm(m)}, new {Layers}.Mlp(EmbedDim, MlpDim{activation}));");
            }
            if (finalNorm == FinalNorm.AfterPooling) w.Line($"fc_norm = {NewNorm(m)};");
            if (m.RepresentationSize > 0) w.Line($"pre_logits = new {Layers}.PreLogits(EmbedDim, RepresentationSize);");
            if (HasHead(m))
            {
                if (m.SymbolicNumClasses) w.Open("if (NumClasses > 0)");
                w.Line($"head_drop = {Torch}.nn.Dropout({Double(m.Dropout)});");
                w.Line($"head = {Torch}.nn.Linear({(m.RepresentationSize > 0 ? "RepresentationSize" : "EmbedDim")}, NumClasses);");
                if (m.DistillationToken)
                    w.Line($"head_dist = {Torch}.nn.Linear({(m.RepresentationSize > 0 ? "RepresentationSize" : "EmbedDim")}, NumClasses);");
                if (m.SymbolicNumClasses) w.Close();
            }
            w.Line("RegisterComponents();");
            w.Line($"{Layers}.VitInitializer.Apply(this, seed);");
            w.Close();
            w.Line();
        }

        /// <summary>The EncoderBlock arguments beyond the paper's block, only those the declaration changes from their defaults.</summary>
        private static List<string> BlockOptions(VitSpec m)
        {
            var options = new List<string>();
            if (m.Norm != NormKind.LayerNorm) options.Add($"norm: global::ShapedVit.NormKind.{m.Norm}");
            if (m.QkNorm) options.Add("qkNorm: true");
            if (m.SeparateQkv) options.Add("separateQkv: true");
            if (m.SeparateQvBias) options.Add("separateQvBias: true");
            if (m.AttentionInnerNorm) options.Add("attentionInnerNorm: true");
            if (m.Rotary) options.Add("rope: rope, prefixTokens: PrefixTokens");
            if (m.MlpActivation != MlpActivation.Gelu) options.Add($"mlpActivation: global::ShapedVit.MlpActivation.{m.MlpActivation}");
            if (m.MlpGate != MlpGate.None) options.Add($"mlpGate: global::ShapedVit.MlpGate.{m.MlpGate}");
            if (m.MlpInnerNorm) options.Add("mlpInnerNorm: true");
            return options;
        }

        /// <summary>The block options in words, for the class documentation ("" for the paper's block).</summary>
        private static string DescribeBlocks(VitSpec m)
        {
            var parts = new List<string>();
            if (m.Norm == NormKind.RmsNorm) parts.Add("RMSNorm");
            if (m.QkNorm) parts.Add("qk-norm");
            if (m.SeparateQkv) parts.Add("separate q/k/v projections");
            if (m.SeparateQvBias) parts.Add("q_bias/v_bias");
            if (m.AttentionInnerNorm) parts.Add("attention inner norm");
            if (m.Rotary) parts.Add(m.RotaryReferenceGrid > 0 ? $"rotary position embedding (reference grid {m.RotaryReferenceGrid})" : "rotary position embedding");
            string activation = m.MlpActivation switch
            {
                MlpActivation.GeluTanh => "tanh-GELU", MlpActivation.QuickGelu => "QuickGELU", MlpActivation.Silu => "SiLU", _ => "GELU",
            };
            if (m.MlpGate != MlpGate.None) parts.Add($"{activation}-gated MLP ({(m.MlpGate == MlpGate.Packed ? "packed fc1" : "fc1_g, fc1_x")})");
            else if (m.MlpActivation != MlpActivation.Gelu) parts.Add($"{activation} MLP");
            if (m.MlpInnerNorm) parts.Add("MLP inner norm");
            return parts.Count == 0 ? "" : "; blocks with " + string.Join(", ", parts);
        }

        /// <summary>
        /// With a rotary embedding, its sin/cos for the images' patch grid, current for the blocks' attention until the method
        /// returns (the blocks stay Module&lt;Tensor, Tensor&gt;, so their hooks fire as without it).
        /// </summary>
        private static void WriteRotaryScope(IndentedWriter w, VitSpec m)
        {
            if (!m.Rotary) return;
            w.Line("using var rotary = rope.Use(images.shape[2] / PatchHeight, images.shape[3] / PatchWidth, images.device);", "the patch grid of these images");
        }

        private static void WriteForward(IndentedWriter w, VitSpec m, VitGeometry g)
        {
            string output = HasHead(m) ? Shape("B", Classes(m)) : Shape("B", g.HeadInputDim);
            w.Line($"/// <summary>Images {ImagesShape(m)} -> {(HasHead(m) ? "logits" : "the pooled vector")} {output}.</summary>");
            w.Open($"public override {Tensor} forward({Tensor} images)");
            w.Line($"using var scope = {Torch}.NewDisposeScope();");
            w.Line("var tokens = ForwardFeatures(images);", TokensShape(m, g));
            w.Line("return ForwardHead(tokens).MoveToOuterDisposeScope();", output);
            w.Close();
            w.Line();
        }

        private static void WriteForwardFeatures(IndentedWriter w, VitSpec m, VitGeometry g)
        {
            string tokens = TokensShape(m, g);
            bool tokensNorm = ResolvedFinalNorm(m) == FinalNorm.BeforePooling;
            string after = tokensNorm ? "final norm" : "last block";
            w.Line($"/// <summary>Images {ImagesShape(m)} -> the features, as timm's forward_features: all tokens after the {after} {tokens}.</summary>");
            w.Open($"public {Tensor} ForwardFeatures({Tensor} images)");
            w.Line("CheckImages(images);", ImagesShape(m));
            w.Line($"using var scope = {Torch}.NewDisposeScope();");
            w.Line("var x = EmbedTokens(images);", tokens);
            WriteRotaryScope(w, m);
            w.Line("foreach (var block in blocks) x = block.call(x);", $"{m.Depth} x {tokens}");
            if (tokensNorm) w.Line("return norm.call(x).MoveToOuterDisposeScope();", tokens);
            else w.Line("return x.MoveToOuterDisposeScope();", tokens + (ResolvedFinalNorm(m) == FinalNorm.AfterPooling ? ", normalised after pooling" : ", no final norm"));
            w.Close();
            w.Line();
        }

        private static void WriteForwardHead(IndentedWriter w, VitSpec m, VitGeometry g)
        {
            string pooledShape = Shape("B", m.EmbedDim);
            string tokensShape = TokensShape(m, g);
            w.Line($"/// <summary>Tokens {tokensShape} -> {(HasHead(m) ? "logits " + Shape("B", Classes(m)) : "the pooled vector " + Shape("B", g.HeadInputDim))}; with <paramref name=\"preLogits\"/>, the pooled vector {pooledShape}.</summary>");
            w.Open($"public {Tensor} ForwardHead({Tensor} tokens, bool preLogits = false)");
            w.Line($"using var scope = {Torch}.NewDisposeScope();");
            if (m.DistillationToken)
            {
                WriteDistilledHead(w, m, g);
                return;
            }
            string patches = "tokens.narrow(1, PrefixTokens, tokens.shape[1] - PrefixTokens)";
            string patchCount = m.DynamicImageSize ? PatchCount(m, g) : Int(g.NumPatches);
            string pooled;
            switch (m.Pooling)
            {
                case Pooling.ClassToken:
                    w.Line("var pooled = tokens.select(1, 0);", pooledShape + ": the class token");
                    break;
                case Pooling.Mean:
                    // timm's global_pool='avg' averages the patch tokens only: every prefix token (class, registers) is left out.
                    w.Line($"var pooled = {patches}.mean(new long[] {{ 1 }});",
                           pooledShape + $": mean of {patchCount} patch tokens" + (m.PatchDropout > 0 ? $" ({g.TrainingPatchTokens} in training)" : ""));
                    break;
                default:
                    // timm's VisionTransformer gives its attention pool the patch tokens only (pool_include_prefix False).
                    w.Line($"var pooled = attn_pool.call({patches});", pooledShape + $": the latent query's attention over {patchCount} patch tokens");
                    break;
            }
            pooled = "pooled";
            if (ResolvedFinalNorm(m) == FinalNorm.AfterPooling) w.Line("pooled = fc_norm.call(pooled);", pooledShape);
            w.Line($"if (preLogits) return {pooled}.MoveToOuterDisposeScope();");
            string current = pooled;
            if (m.RepresentationSize > 0)
            {
                w.Line($"var representation = pre_logits.call({pooled});", Shape("B", m.RepresentationSize));
                current = "representation";
            }
            if (m.SymbolicNumClasses)
            {
                w.Line($"if (head is null) return {current}.MoveToOuterDisposeScope();", Shape("B", g.HeadInputDim) + ": headless (numClasses 0)");
                w.Line($"return head.call(head_drop!.call({current})).MoveToOuterDisposeScope();", Shape("B", Classes(m)));
            }
            else if (HasHead(m))
                w.Line($"return head.call(head_drop.call({current})).MoveToOuterDisposeScope();", Shape("B", Classes(m)));
            else
                w.Line($"return {current}.MoveToOuterDisposeScope();", Shape("B", g.HeadInputDim) + ": headless");
            w.Close();
            w.Line();
        }

        /// <summary>
        /// DeiT's head (timm's VisionTransformerDistilled.forward_head): the class token to <c>head</c>, the distillation token
        /// to <c>head_dist</c>, the two logits averaged (timm's inference, and its training unless distilled_training is set);
        /// pre-logits are the mean of the two tokens. As timm, no final norm after pooling and no head dropout.
        /// </summary>
        private static void WriteDistilledHead(IndentedWriter w, VitSpec m, VitGeometry g)
        {
            string pooledShape = Shape("B", m.EmbedDim);
            w.Line("var classToken = tokens.select(1, 0);", pooledShape);
            w.Line("var distillationToken = tokens.select(1, 1);", pooledShape);
            w.Line($"if (preLogits) return classToken.add(distillationToken, {Layers}.Scalars.One).div_(2).MoveToOuterDisposeScope();", pooledShape + ": the two tokens' mean");
            string cls = "classToken", dist = "distillationToken";
            if (m.RepresentationSize > 0)
            {
                w.Line("var classRepresentation = pre_logits.call(classToken);", Shape("B", m.RepresentationSize));
                w.Line("var distillationRepresentation = pre_logits.call(distillationToken);", Shape("B", m.RepresentationSize));
                cls = "classRepresentation"; dist = "distillationRepresentation";
            }
            if (m.SymbolicNumClasses)
            {
                w.Line($"if (head is null || head_dist is null) return {cls}.add({dist}, {Layers}.Scalars.One).div_(2).MoveToOuterDisposeScope();", Shape("B", g.HeadInputDim) + ": headless (numClasses 0), the two tokens' mean");
                w.Line($"return head.call({cls}).add(head_dist.call({dist}), {Layers}.Scalars.One).div_(2).MoveToOuterDisposeScope();", Shape("B", Classes(m)) + ": the two heads' mean");
            }
            else if (HasHead(m))
                w.Line($"return head.call({cls}).add(head_dist.call({dist}), {Layers}.Scalars.One).div_(2).MoveToOuterDisposeScope();", Shape("B", Classes(m)) + ": the two heads' mean");
            else
                w.Line($"return {cls}.add({dist}, {Layers}.Scalars.One).div_(2).MoveToOuterDisposeScope();", Shape("B", g.HeadInputDim) + ": headless, the two tokens' mean");
            w.Close();
            w.Line();
        }

        private static void WriteForwardWithIntermediates(IndentedWriter w, VitSpec m, VitGeometry g)
        {
            string tokens = TokensShape(m, g);
            string length = TokenCount(m, g);
            w.Line("/// <summary>Logits, the final tokens, every block's output and, when <paramref name=\"attention\"/> is set, every block's attention probabilities.</summary>");
            w.Open($"public global::ShapedVit.VitIntermediates ForwardWithIntermediates({Tensor} images, bool attention = false)");
            w.Line("CheckImages(images);");
            w.Line($"using var scope = {Torch}.NewDisposeScope();");
            w.Line($"var hiddenStates = new global::System.Collections.Generic.List<{Tensor}>(Depth);");
            w.Line($"var attentions = new global::System.Collections.Generic.List<{Tensor}>(attention ? Depth : 0);");
            w.Line("var x = EmbedTokens(images);", tokens);
            WriteRotaryScope(w, m);
            w.Open("foreach (var block in blocks)");
            w.Open("if (attention)");
            w.Line("var (output, weights) = block.ForwardWithAttention(x);", Shape("B", m.Heads, length, length) + " weights");
            w.Line("x = output;");
            w.Line("attentions.Add(weights.MoveToOuterDisposeScope());");
            w.Close();
            w.Line("else x = block.call(x);");
            w.Line("hiddenStates.Add(x.MoveToOuterDisposeScope());", tokens);
            w.Close();
            if (ResolvedFinalNorm(m) == FinalNorm.BeforePooling) w.Line("var features = norm.call(x);", tokens);
            else w.Line("var features = x.alias();", tokens);
            if (m.SymbolicNumClasses) w.Line($"{Tensor}? logits = head is null ? null : ForwardHead(features).MoveToOuterDisposeScope();", Shape("B", Classes(m)) + "; null when headless");
            else if (HasHead(m)) w.Line("var logits = ForwardHead(features).MoveToOuterDisposeScope();", Shape("B", Classes(m)));
            else w.Line($"{Tensor}? logits = null;");
            string grid = m.DynamicImageSize ? "images.shape[2] / PatchHeight, images.shape[3] / PatchWidth" : "GridHeight, GridWidth";
            if (m.Pooling == Pooling.AttentionPool && !m.DistillationToken)
            {
                // What the head reads, for attention rollout: the pool's latent query over the patch tokens.
                w.Line($"{Tensor}? poolAttention = null;");
                w.Line("if (attention) poolAttention = attn_pool.ForwardWithAttention(features.narrow(1, PrefixTokens, features.shape[1] - PrefixTokens)).Weights.MoveToOuterDisposeScope();",
                       Shape("B", m.Heads, PatchCount(m, g)));
                w.Line($"return new global::ShapedVit.VitIntermediates(logits, features.MoveToOuterDisposeScope(), hiddenStates, attentions, PrefixTokens, {grid})");
                w.Line("    { PoolAttention = poolAttention };");
            }
            else
                w.Line($"return new global::ShapedVit.VitIntermediates(logits, features.MoveToOuterDisposeScope(), hiddenStates, attentions, PrefixTokens, {grid});");
            w.Close();
            w.Line();
        }

        private static void WriteEmbedTokens(IndentedWriter w, string name, VitSpec m, VitGeometry g)
        {
            string tokens = TokensShape(m, g);
            string patchesShape = Shape("B", PatchCount(m, g), m.EmbedDim);
            bool learned = m.PositionEmbedding == PositionEmbeddingKind.Learned;
            w.Line("/// <summary>Patch embedding, prefix tokens and position embedding" + (m.PatchDropout > 0 ? ", then patch dropout in training" : "")
                   + (m.PreNorm ? ", then the pre-norm" : "") + "; runs inside the caller's dispose scope.</summary>");
            w.Open($"private {Tensor} EmbedTokens({Tensor} images)");
            w.Line("var patches = patch_embed.call(images);", patchesShape);
            string positions = "pos_embed";
            if (learned && m.DynamicImageSize)
            {
                // timm's dynamic_img_size: the stored embedding (the declared grid's) resampled to this input's grid.
                string slots = m.PositionEmbeddingIncludesPrefix ? "PrefixTokens" : "0";
                w.Line($"var positions = {Layers}.DynamicPositionEmbedding.Resample(pos_embed, GridHeight, GridWidth, images.shape[2] / PatchHeight, images.shape[3] / PatchWidth, {slots});",
                       Shape(1, m.PositionEmbeddingIncludesPrefix ? TokenCount(m, g) : PatchCount(m, g), m.EmbedDim));
                positions = "positions";
            }
            var parts = new List<string>();
            if (m.ClassToken) parts.Add("cls_token.expand(batch, -1, -1)");
            if (m.DistillationToken) parts.Add("dist_token.expand(batch, -1, -1)");
            if (m.RegisterTokens > 0) parts.Add("reg_token.expand(batch, -1, -1)");
            string embedded;
            if (learned && !m.PositionEmbeddingIncludesPrefix)
            {
                // timm's no_embed_class (DeiT-III, DINOv2 with registers): the patches get their positions, then the prefix tokens, which have none, go in front.
                w.Line($"patches = patches.add({positions}, {Layers}.Scalars.One);", patchesShape);
                if (parts.Count > 0)
                {
                    w.Line("long batch = patches.shape[0];");
                    parts.Add("patches");
                    w.Line($"var tokens = {Torch}.cat(new[] {{ {string.Join(", ", parts)} }}, 1);", tokens);
                    embedded = "pos_drop.call(tokens)";
                }
                else embedded = "pos_drop.call(patches)";
            }
            else
            {
                if (parts.Count > 0)
                {
                    w.Line("long batch = patches.shape[0];");
                    parts.Add("patches");
                    w.Line($"var tokens = {Torch}.cat(new[] {{ {string.Join(", ", parts)} }}, 1);", tokens);
                }
                else
                {
                    w.Line("var tokens = patches;", tokens + ": no prefix tokens");
                }
                embedded = learned ? $"pos_drop.call(tokens.add({positions}, {Layers}.Scalars.One))" : "pos_drop.call(tokens)";
            }
            if (m.PatchDropout > 0 || m.PreNorm)
            {
                w.Line($"var embedded = {embedded};", tokens + (learned ? "" : ": no position embedding"));
                string dropped = $"{tokens}; in training {TrainingTokens(m, g)}";
                if (m.PatchDropout > 0 && m.PreNorm)
                {
                    w.Line("embedded = patch_drop.call(embedded);", dropped);
                    w.Line("return norm_pre.call(embedded);", "timm's norm_pre");
                }
                else if (m.PatchDropout > 0) w.Line("return patch_drop.call(embedded);", dropped);
                else w.Line("return norm_pre.call(embedded);", tokens + ", timm's norm_pre");
            }
            else
            {
                w.Line($"return {embedded};", tokens + (learned ? "" : ": no position embedding"));
            }
            w.Close();
            w.Line();
            w.Line($"private void CheckImages({Tensor} images) =>");
            if (m.DynamicImageSize)
            {
                w.Line($"    {Layers}.InputChecks.RequireImagesOfPatchMultiples(images, Channels, PatchHeight, PatchWidth, ImageHeight, ImageWidth,");
                w.Line($"        patch_embed.Projection.weight!.dtype, patch_embed.Projection.weight.device, nameof({name}));");
            }
            else
            {
                w.Line($"    {Layers}.InputChecks.RequireImages(images, Channels, ImageHeight, ImageWidth,");
                w.Line($"        patch_embed.Projection.weight!.dtype, patch_embed.Projection.weight.device, nameof({name}));");
            }
            w.Line();
        }

        private static void WriteSpec(IndentedWriter w, VitSpec m)
        {
            w.Line("/// <summary>The declaration, presets applied: a compile-time fact, read without building a model.</summary>");
            w.Line("public static global::ShapedVit.VitSpec Spec { get; } = new global::ShapedVit.VitSpec");
            w.Line("{");
            w.Indent();
            w.Line("ImageHeight = ImageHeight, ImageWidth = ImageWidth, Channels = Channels, PatchHeight = PatchHeight, PatchWidth = PatchWidth,");
            w.Line(m.SymbolicNumClasses
                ? "EmbedDim = EmbedDim, Depth = Depth, Heads = Heads, MlpDim = MlpDim, NumClasses = 0,"
                : "EmbedDim = EmbedDim, Depth = Depth, Heads = Heads, MlpDim = MlpDim, NumClasses = NumClasses,");
            w.Line($"Pooling = global::ShapedVit.Pooling.{m.Pooling}, ClassToken = {Bool(m.ClassToken)}, RegisterTokens = RegisterTokens, QkvBias = {Bool(m.QkvBias)},");
            w.Line($"LayerScaleInit = {Double(m.LayerScaleInit)}, RepresentationSize = RepresentationSize, Dropout = {Double(m.Dropout)}, AttentionDropout = {Double(m.AttentionDropout)},");
            w.Line($"DropPath = {Double(m.DropPath)}, PatchDropout = {Double(m.PatchDropout)}, LayerNormEps = LayerNormEps,");
            if (m.SymbolicNumClasses) w.Line("RuntimeNumClasses = true,");
            // The families' options, each written only where it differs from its default (the paper's model reads as before).
            var defaults = new VitSpec();
            if (m.DistillationToken) w.Line("DistillationToken = true,");
            if (m.DynamicImageSize) w.Line("DynamicImageSize = true,");
            if (m.PatchBias != defaults.PatchBias) w.Line($"PatchBias = {Bool(m.PatchBias)},");
            if (m.PositionEmbedding != defaults.PositionEmbedding) w.Line($"PositionEmbedding = global::ShapedVit.PositionEmbeddingKind.{m.PositionEmbedding},");
            if (m.PositionEmbeddingIncludesPrefix != defaults.PositionEmbeddingIncludesPrefix) w.Line($"PositionEmbeddingIncludesPrefix = {Bool(m.PositionEmbeddingIncludesPrefix)},");
            if (m.Norm != defaults.Norm) w.Line($"Norm = global::ShapedVit.NormKind.{m.Norm},");
            if (m.PreNorm) w.Line("PreNorm = true,");
            if (m.FinalNorm != defaults.FinalNorm) w.Line($"FinalNorm = global::ShapedVit.FinalNorm.{m.FinalNorm},");
            if (m.QkNorm) w.Line("QkNorm = true,");
            if (m.SeparateQkv) w.Line("SeparateQkv = true,");
            if (m.SeparateQvBias) w.Line("SeparateQvBias = true,");
            if (m.AttentionInnerNorm) w.Line("AttentionInnerNorm = true,");
            if (m.Rotary) w.Line("Rotary = true,");
            if (m.RotaryReferenceGrid != 0) w.Line($"RotaryReferenceGrid = {Int(m.RotaryReferenceGrid)},");
            if (m.MlpActivation != defaults.MlpActivation) w.Line($"MlpActivation = global::ShapedVit.MlpActivation.{m.MlpActivation},");
            if (m.MlpGate != defaults.MlpGate) w.Line($"MlpGate = global::ShapedVit.MlpGate.{m.MlpGate},");
            if (m.MlpInnerNorm) w.Line("MlpInnerNorm = true,");
            w.Unindent();
            w.Line("};");
            w.Line();
            w.Line("/// <summary>The proven shapes and sizes: a compile-time fact, read without building a model.</summary>");
            w.Line("public static global::ShapedVit.VitGeometry Geometry => geometry ??= global::ShapedVit.VitGeometry.Create(Spec);");
            w.Line();
            if (m.SymbolicNumClasses)
            {
                // A headless instance (numClasses 0) has no symbolic count left: its spec reads as a declared headless model's.
                w.Line("global::ShapedVit.VitSpec global::ShapedVit.IVisionTransformer.Spec => Spec with { NumClasses = NumClasses, RuntimeNumClasses = NumClasses > 0 };");
                w.Line();
                w.Line("global::ShapedVit.VitGeometry global::ShapedVit.IVisionTransformer.Geometry =>");
                w.Line("    instanceGeometry ??= global::ShapedVit.VitGeometry.Create(((global::ShapedVit.IVisionTransformer)this).Spec);");
                w.Line();
                w.Line("private global::ShapedVit.VitGeometry? instanceGeometry;");
            }
            else
            {
                w.Line("global::ShapedVit.VitSpec global::ShapedVit.IVisionTransformer.Spec => Spec;");
                w.Line();
                w.Line("global::ShapedVit.VitGeometry global::ShapedVit.IVisionTransformer.Geometry => Geometry;");
            }
        }

        /// <summary>
        /// IVisionTransformer&lt;TSelf&gt;.Create and IVisionTransformer.CreateLike: how generic code and code holding only an
        /// instance build "another one like this", without reflection. Explicit, so the model's own surface stays the constructor.
        /// </summary>
        private static void WriteFactory(IndentedWriter w, string name, VitSpec m, bool isAbstract)
        {
            w.Line();
            if (isAbstract)
            {
                // An abstract class has no instance to build; the factories say so instead of failing to compile.
                string error = $"throw new global::System.InvalidOperationException($\"{{nameof({name})}} is abstract: build an instance of a class derived from it.\");";
                w.Line($"static {name} global::ShapedVit.IVisionTransformer<{name}>.Create(int? numClasses, long? seed) => {error}");
                w.Line();
                w.Line($"{Torch}.nn.Module<{Tensor}, {Tensor}> global::ShapedVit.IVisionTransformer.CreateLike(long? seed) => {error}");
            }
            else if (m.SymbolicNumClasses)
            {
                w.Line($"static {name} global::ShapedVit.IVisionTransformer<{name}>.Create(int? numClasses, long? seed) =>");
                w.Line($"    new {name}(numClasses ?? throw new global::System.ArgumentNullException(nameof(numClasses),");
                w.Line($"        $\"{{nameof({name})}} takes its class count at run time (RuntimeNumClasses = true): give numClasses.\"), seed);");
                w.Line();
                w.Line($"{Torch}.nn.Module<{Tensor}, {Tensor}> global::ShapedVit.IVisionTransformer.CreateLike(long? seed) => new {name}(NumClasses, seed);");
            }
            else
            {
                w.Line($"static {name} global::ShapedVit.IVisionTransformer<{name}>.Create(int? numClasses, long? seed) =>");
                w.Line($"    numClasses is null || numClasses == NumClasses ? new {name}(seed) : throw new global::System.ArgumentException(");
                w.Line($"        $\"{{nameof({name})}} declares NumClasses = {{NumClasses}} and cannot be built with {{numClasses}}: declare RuntimeNumClasses = true for a class count given at run time.\", nameof(numClasses));");
                w.Line();
                w.Line($"{Torch}.nn.Module<{Tensor}, {Tensor}> global::ShapedVit.IVisionTransformer.CreateLike(long? seed) => new {name}(seed);");
            }
        }

        private static bool HasHead(VitSpec m) => m.NumClasses > 0 || m.SymbolicNumClasses;

        /// <summary>The logits width as the comments write it: the number, or N when it is the constructor's.</summary>
        private static string Classes(VitSpec m) => m.SymbolicNumClasses ? "N" : Int(m.NumClasses);

        /// <summary>"partial class Outer", "static partial class Outer", "partial record struct Outer"...</summary>
        private static string PartialHeader(ContainingType outer) =>
            outer.Keyword.StartsWith("static ", System.StringComparison.Ordinal)
                ? "static partial " + outer.Keyword.Substring("static ".Length) + " " + Identifier(outer.Name)
                : "partial " + outer.Keyword + " " + Identifier(outer.Name);

        /// <summary>A symbol's name as C# source: a keyword used as a name (<c>@class</c>) needs its '@' back.</summary>
        internal static string Identifier(string name) =>
            Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;

        private static string Shape(params object[] dims) =>
            "[" + string.Join(",", System.Array.ConvertAll(dims, d => System.Convert.ToString(d, CultureInfo.InvariantCulture))) + "]";

        private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Long(long value) => value.ToString(CultureInfo.InvariantCulture) + "L";

        private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

        private static string Bool(bool value) => value ? "true" : "false";

        internal static string Double(double value)
        {
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.IndexOf('.') >= 0 || text.IndexOf('E') >= 0 ? text : text + ".0";
        }
    }
}
