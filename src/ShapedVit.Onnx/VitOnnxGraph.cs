using Onnx;
using ShapedVit.Inference;
using ShapedVit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static ShapedVit.Onnx.OnnxGraphWriter;
using static TorchSharp.torch;

namespace ShapedVit.Onnx;

/// <summary>
/// The evaluation-mode computation of a generated Vision Transformer as an ONNX graph of standard operators, read
/// from the module itself (its timm-named tensors, its LayerNorms' epsilons, its heads) and checked against its spec:
/// anything the exporter does not know is refused before a file is written.
/// </summary>
internal sealed class VitOnnxGraph
{
    public const string InputName = "images";
    public const string LogitsName = "logits";
    public const string FeaturesName = "features";
    public const string PooledName = "pooled";

    // Every module type a generated model is made of; anything else (a user's subclass, a future layer) is refused.
    private static readonly HashSet<Type> KnownModules =
    [
        typeof(PatchEmbed), typeof(Conv2d), typeof(Dropout), typeof(ModuleList<EncoderBlock>), typeof(EncoderBlock),
        typeof(LayerNorm), typeof(Attention), typeof(Linear), typeof(PackableLinear), typeof(Identity), typeof(LayerScale), typeof(DropPath),
        typeof(Mlp), typeof(Gelu), typeof(PatchDropout), typeof(PreLogits), typeof(Tanh),
        typeof(RmsNorm), typeof(GeluTanh), typeof(QuickGelu), typeof(Silu), typeof(AttentionPoolLatent), typeof(RotaryEmbedding),
    ];

    /// <summary>The opset from which Resize has the <c>antialias</c> attribute a dynamic image size needs.</summary>
    public const int DynamicSizeOpset = 18;

    private readonly OnnxGraphWriter graph = new();
    private readonly Dictionary<string, Tensor> state;
    private readonly Dictionary<string, nn.Module> modules;
    private readonly HashSet<string> used = new();
    private readonly Dictionary<string, string> shapes = new();
    private readonly VitSpec spec;
    private readonly VitGeometry geometry;
    private readonly int opset;
    private readonly string modelName;
    // With a dynamic image size: the input's patch grid [gh, gw], its patch count [N] and its token count [S], as int64 vectors.
    private string? gridSize;
    private string? patchCount;
    private string? tokenCount;
    // With a rotary embedding: the sines and cosines [N, head_dim] of the input's patch grid.
    private string? ropeSin;
    private string? ropeCos;

    private VitOnnxGraph(nn.Module module, IVisionTransformer vit, int opset)
    {
        spec = vit.Spec;
        geometry = vit.Geometry;
        this.opset = opset;
        modelName = module.GetType().Name;
        modules = new Dictionary<string, nn.Module>();
        foreach (var (name, child) in module.named_modules())
        {
            if (name.Length == 0) continue;
            if (!KnownModules.Contains(child.GetType()))
                throw new OnnxExportException($"{modelName} cannot be exported to ONNX: its module '{name}' is a {child.GetType().Name}, which the exporter does not know.");
            modules[name] = child;
        }
        state = new Dictionary<string, Tensor>(module.state_dict());
        foreach (var (name, tensor) in state)
            if (tensor.dtype != ScalarType.Float32)
                throw new OnnxExportException($"{modelName} cannot be exported to ONNX: '{name}' is {tensor.dtype}, and the exporter writes float32 models; convert it first with model.to(ScalarType.Float32).");
    }

    /// <summary>The domain of ONNX Runtime's contributed operators (DynamicQuantizeMatMul).</summary>
    public const string MicrosoftDomain = "com.microsoft";

    public GraphProto Graph => graph.Graph;

    /// <summary>How many Linear layers were written as int8 DynamicQuantizeMatMul (those <see cref="Int8Inference"/> marked).</summary>
    public int QuantizedLinears { get; private set; }
    public List<WeightInitializer> Weights => graph.Weights;
    public List<(string Name, string Shape)> Outputs { get; } = new();
    /// <summary>The epsilon of the first norm (the generator gives all of them the declared one).</summary>
    public double LayerNormEps { get; private set; } = double.NaN;

    private bool Dynamic => spec.DynamicImageSize;

    public static VitOnnxGraph Build(IVisionTransformer vit, OnnxExportOptions options)
    {
        if (vit is not nn.Module module)
            throw new OnnxExportException($"{vit.GetType().Name} cannot be exported to ONNX: it is not a TorchSharp module (only generated Vision Transformers are).");
        if (Refusal(vit.Spec, vit.Geometry, options.Opset) is { } reason)
            throw new OnnxExportException($"{vit.GetType().Name} cannot be exported to ONNX: {reason}");
        var built = new VitOnnxGraph(module, vit, options.Opset);
        built.Emit(options.IncludePooledFeatures);
        return built;
    }

    /// <summary>
    /// Why a declaration cannot be exported as asked, or null. Every declared option is written; what is refused is a dynamic
    /// image size below opset 18 (Resize has no antialias before) and timm's unresampled early return at a square grid of
    /// a non-square declared grid's count.
    /// </summary>
    internal static string? Refusal(VitSpec spec, VitGeometry geometry, int opset)
    {
        if (!spec.DynamicImageSize || spec.PositionEmbedding != PositionEmbeddingKind.Learned) return null;
        if (opset < DynamicSizeOpset)
            return $"its dynamic image size resamples the position embedding with Resize's antialiasing, which ONNX has from opset {DynamicSizeOpset}: export it with Opset = {DynamicSizeOpset} or later.";
        long cells = geometry.GridHeight * geometry.GridWidth, side = (long)Math.Round(Math.Sqrt(cells));
        if (geometry.GridHeight != geometry.GridWidth && side * side == cells)
            return $"its declared {geometry.GridHeight}x{geometry.GridWidth} patch grid is not square but has a square's count, and timm keeps the position embedding unresampled at a {side}x{side} grid, which the graph does not reproduce.";
        return null;
    }

    private void Emit(bool includePooled)
    {
        long e = spec.EmbedDim, n = geometry.NumPatches;
        graph.Graph.Name = modelName;
        object imageHeight = Dynamic ? "height" : spec.ImageHeight, imageWidth = Dynamic ? "width" : spec.ImageWidth;
        graph.Graph.DocString = $"{modelName}: {geometry.Trace} (ShapedVit; images [batch,{spec.Channels},{imageHeight},{imageWidth}] float32)";
        graph.Graph.Input.Add(Value(InputName, TensorProto.Types.DataType.Float, "batch", spec.Channels, imageHeight, imageWidth));

        // Patch embedding: Conv with kernel = stride = patch, then [B,E,gh,gw] -> [B,N,E].
        var convInputs = new List<string> { InputName, Param("patch_embed.proj.weight", e, spec.Channels, spec.PatchHeight, spec.PatchWidth) };
        if (spec.PatchBias) convInputs.Add(Param("patch_embed.proj.bias", e));
        else if (state.ContainsKey("patch_embed.proj.bias"))
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: 'patch_embed.proj.bias' exists but the spec says the patch embedding has no bias.");
        string conv = graph.Node("Conv", "patch_embed.proj", convInputs, Ints("kernel_shape", spec.PatchHeight, spec.PatchWidth), Ints("strides", spec.PatchHeight, spec.PatchWidth));
        if (Dynamic)
        {
            // The input's patch grid, read from the convolution's output: [gh, gw], and gh * gw.
            gridSize = graph.Node("Shape", "patch_embed.grid", [conv], Int("start", 2), Int("end", 4));
            patchCount = graph.Node("ReduceProd", "patch_embed.count", [gridSize], Int("keepdims", 1));
        }
        string flat = graph.Node("Reshape", "patch_embed.flatten", [conv, Dynamic ? graph.Int64Vector($"shape.[0,{e},-1]", 0, e, -1) : graph.Int64Vector($"shape.[0,{e},{n}]", 0, e, n)]);
        string tokens = graph.Node("Transpose", "patch_embed.transpose", [flat], Ints("perm", 0, 2, 1)); // [B,N,E]

        // The position embedding, resampled to the input's grid with a dynamic size; without prefix slots (timm's
        // no_embed_class) it goes on the patches before the prefix tokens are put in front.
        bool learned = spec.PositionEmbedding == PositionEmbeddingKind.Learned;
        string? positions = null;
        if (learned)
        {
            positions = Param("pos_embed", 1, geometry.PositionEmbeddingTokens, e);
            if (Dynamic) positions = Resample(positions, spec.PositionEmbeddingIncludesPrefix ? geometry.PrefixTokens : 0);
            if (!spec.PositionEmbeddingIncludesPrefix) tokens = graph.Node("Add", "pos_embed.add", [tokens, positions]);
        }

        // Prefix tokens, broadcast to the batch: class token, distillation token, register tokens, then the patches (timm's order).
        if (geometry.PrefixTokens > 0)
        {
            string batch = graph.Node("Shape", "batch_size", [InputName], Int("start", 0), Int("end", 1));
            string expandShape = graph.Node("Concat", "prefix_shape", [batch, graph.Int64Vector("shape.[1,1]", 1, 1)], Int("axis", 0));
            var parts = new List<string>();
            if (spec.ClassToken)
                parts.Add(graph.Node("Expand", "cls_token.expand", [Param("cls_token", 1, 1, e), expandShape]));
            if (spec.DistillationToken)
                parts.Add(graph.Node("Expand", "dist_token.expand", [Param("dist_token", 1, 1, e), expandShape]));
            if (spec.RegisterTokens > 0)
                parts.Add(graph.Node("Expand", "reg_token.expand", [Param("reg_token", 1, spec.RegisterTokens, e), expandShape]));
            parts.Add(tokens);
            tokens = graph.Node("Concat", "tokens", parts, Int("axis", 1));
        }
        if (learned && spec.PositionEmbeddingIncludesPrefix) tokens = graph.Node("Add", "pos_embed.add", [tokens, positions!]); // [B,S,E]
        // Position dropout and (in evaluation) patch dropout are identities.
        if (Dynamic) tokenCount = graph.Node("Shape", "tokens.count", [tokens], Int("start", 1), Int("end", 2));
        if (spec.Rotary) EmitRotaryEmbedding();

        // The encoder works on [B*S, E] rows, so every Linear is one Gemm with timm's weight as it is (transB = 1).
        string x = graph.Node("Reshape", "tokens.rows", [tokens, graph.Int64Vector($"shape.[-1,{e}]", -1, e)]);
        if (spec.PreNorm) x = Norm("norm_pre", x, e);
        for (int i = 0; i < spec.Depth; i++) x = Block(i, x);

        var finalNorm = spec.EffectiveFinalNorm;
        if (finalNorm == FinalNorm.BeforePooling) x = Norm("norm", x, e);
        string sequence = graph.Node("Reshape", "tokens.sequence", [x, ShapeOf(-1, S, e)]); // [B,S,E]

        if (spec.DistillationToken)
        {
            DistilledHead(sequence, includePooled);
            CheckAllUsed();
            return;
        }

        string pooled;
        if (spec.Pooling == Pooling.ClassToken)
            pooled = graph.Node("Gather", "pool.class_token", [sequence, graph.Int64("index.0", [], 0)], Int("axis", 1)); // [B,E]
        else
        {
            string patchTokens = geometry.PrefixTokens == 0 ? sequence :
                graph.Node("Slice", "pool.patch_tokens", [sequence, graph.Int64Vector($"starts.[{geometry.PrefixTokens}]", geometry.PrefixTokens),
                                                         Dynamic ? graph.Int64Vector("ends.[max]", long.MaxValue) : graph.Int64Vector($"ends.[{geometry.SequenceLength}]", geometry.SequenceLength),
                                                         graph.Int64Vector("axes.[1]", 1)]);
            pooled = spec.Pooling == Pooling.AttentionPool ? AttentionPool(patchTokens) : ReduceMean("pool.mean", patchTokens, 1, keepDims: false);
        }
        if (finalNorm == FinalNorm.AfterPooling) pooled = Norm("fc_norm", pooled, e);

        var (representation, width) = PreLogits(pooled, "pre_logits.fc", "pre_logits.act");
        if (spec.NumClasses > 0)
        {
            Linear("head", representation, width, spec.NumClasses, bias: true);
            Output(graph.RenameLastOutput(LogitsName), spec.NumClasses);
        }
        else
        {
            graph.Node("Identity", FeaturesName + ".output", [representation]);
            Output(graph.RenameLastOutput(FeaturesName), width);
        }
        if (includePooled)
        {
            graph.Node("Identity", PooledName + ".output", [pooled]);
            Output(graph.RenameLastOutput(PooledName), e);
        }
        CheckAllUsed();
    }

    private void CheckAllUsed()
    {
        var unused = state.Keys.Where(key => !used.Contains(key)).Order(StringComparer.Ordinal).ToList();
        if (unused.Count > 0)
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: the exporter does not know what to do with {string.Join(", ", unused)}.");
    }

    /// <summary>Pre-logits (Linear + Tanh) where the model has them; the representation and its width.</summary>
    private (string Representation, long Width) PreLogits(string pooled, string fcName, string actName)
    {
        if (spec.RepresentationSize <= 0) return (pooled, spec.EmbedDim);
        string fc = Linear("pre_logits.fc", pooled, spec.EmbedDim, spec.RepresentationSize, bias: true, nodeName: fcName);
        return (graph.Node("Tanh", actName, [fc]), spec.RepresentationSize);
    }

    /// <summary>
    /// DeiT's head (timm's VisionTransformerDistilled at inference): the class token through <c>head</c>, the distillation
    /// token through <c>head_dist</c>, the two logits averaged; the pooled features are the two tokens' mean.
    /// </summary>
    private void DistilledHead(string sequence, bool includePooled)
    {
        long e = spec.EmbedDim;
        string classToken = graph.Node("Gather", "pool.class_token", [sequence, graph.Int64("index.0", [], 0)], Int("axis", 1));         // [B,E]
        string distToken = graph.Node("Gather", "pool.dist_token", [sequence, graph.Int64("index.1", [], 1)], Int("axis", 1));           // [B,E]
        string two = graph.FloatScalar("two", 2f);
        var (cls, width) = PreLogits(classToken, "pre_logits.fc", "pre_logits.act");
        var (dist, _) = PreLogits(distToken, "pre_logits.fc.dist", "pre_logits.act.dist");
        if (spec.NumClasses > 0)
        {
            string head = Linear("head", cls, width, spec.NumClasses, bias: true);
            string headDist = Linear("head_dist", dist, width, spec.NumClasses, bias: true);
            graph.Node("Div", "head.mean", [graph.Node("Add", "head.sum", [head, headDist]), two]);
            Output(graph.RenameLastOutput(LogitsName), spec.NumClasses);
        }
        else
        {
            graph.Node("Div", "features.mean", [graph.Node("Add", "features.sum", [cls, dist]), two]);
            Output(graph.RenameLastOutput(FeaturesName), width);
        }
        if (includePooled)
        {
            graph.Node("Div", "pooled.mean", [graph.Node("Add", "pooled.sum", [classToken, distToken]), two]);
            Output(graph.RenameLastOutput(PooledName), e);
        }
    }

    /// <summary>The tokens' count S: the proven one, or the input's with a dynamic size.</summary>
    private object S => Dynamic ? tokenCount! : geometry.SequenceLength;

    /// <summary>The patches' count N: the proven one, or the input's with a dynamic size.</summary>
    private object N => Dynamic ? patchCount! : geometry.NumPatches;

    /// <summary>An int64 shape vector from constants and (dynamic) one-element int64 tensors; equal shapes are built once.</summary>
    private string ShapeOf(params object[] parts)
    {
        string key = string.Join(",", parts);
        if (shapes.TryGetValue(key, out var existing)) return existing;
        string name;
        if (parts.All(p => p is long or int))
            name = graph.Int64Vector($"shape.[{key}]", parts.Select(Convert.ToInt64).ToArray());
        else
            name = graph.Node("Concat", $"shape.[{key}]", parts.Select(p => p as string ?? graph.Int64Vector($"shape.[{p}]", Convert.ToInt64(p))), Int("axis", 0));
        shapes[key] = name;
        return name;
    }

    /// <summary>
    /// timm's resample_abs_pos_embed as its _pos_embed calls it for a dynamic size: the grid slots of [1, slots + gh0*gw0, E]
    /// resized to the input's grid with ONNX Resize (cubic, antialias, cubic_coeff_a -0.5, exclude_outside, half_pixel),
    /// which is PyTorch's antialiased bicubic (its antialiased kernel is PIL's, a = -0.5, its taps outside the image dropped
    /// and the rest renormalised); the prefix slots stay as they are.
    /// </summary>
    private string Resample(string positions, long prefixSlots)
    {
        long e = spec.EmbedDim, gh = geometry.GridHeight, gw = geometry.GridWidth;
        string grid = prefixSlots == 0 ? positions :
            graph.Node("Slice", "pos_embed.grid", [positions, graph.Int64Vector($"starts.[{prefixSlots}]", prefixSlots),
                                                   graph.Int64Vector("ends.[max]", long.MaxValue), graph.Int64Vector("axes.[1]", 1)]);
        string image = graph.Node("Transpose", "pos_embed.image",
            [graph.Node("Reshape", "pos_embed.image.reshape", [grid, graph.Int64Vector($"shape.[1,{gh},{gw},{e}]", 1, gh, gw, e)])], Ints("perm", 0, 3, 1, 2));
        string sizes = graph.Node("Concat", "pos_embed.sizes", [graph.Int64Vector($"shape.[1,{e}]", 1, e), gridSize!], Int("axis", 0));
        string resized = graph.Node("Resize", "pos_embed.resize", [image, "", "", sizes],
            Text("mode", "cubic"), Int("antialias", 1), Float("cubic_coeff_a", -0.5f), Int("exclude_outside", 1),
            Text("coordinate_transformation_mode", "half_pixel"));
        string rows = graph.Node("Reshape", "pos_embed.resampled",
            [graph.Node("Transpose", "pos_embed.resized.transpose", [resized], Ints("perm", 0, 2, 3, 1)), graph.Int64Vector($"shape.[1,-1,{e}]", 1, -1, e)]);
        if (prefixSlots == 0) return rows;
        string prefix = graph.Node("Slice", "pos_embed.prefix", [positions, graph.Int64Vector("starts.[0]", 0),
                                                                 graph.Int64Vector($"ends.[{prefixSlots}]", prefixSlots), graph.Int64Vector("axes.[1]", 1)]);
        return graph.Node("Concat", "pos_embed.dynamic", [prefix, rows], Int("axis", 1));
    }

    /// <summary>
    /// EVA-02's rotary embedding of the patch grid, as <see cref="ShapedVit.Layers.RotaryEmbedding.Embed"/>: constants of the
    /// module's own values at a fixed size; computed in the graph from the input's grid with a dynamic size.
    /// </summary>
    private void EmitRotaryEmbedding()
    {
        if (!modules.TryGetValue("rope", out var module) || module is not RotaryEmbedding rope)
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: its spec has a rotary embedding but 'rope' is not a RotaryEmbedding.");
        long hd = geometry.HeadDim;
        if (rope.HeadDim != hd)
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: its rotary embedding is {rope.HeadDim} wide per head, the heads {hd}.");
        if (!Dynamic)
        {
            using var scope = NewDisposeScope();
            var halves = rope.Embed(geometry.GridHeight, geometry.GridWidth).chunk(2, -1);
            long count = geometry.NumPatches;
            ropeSin = graph.Weight("rope.sin", [count, hd], halves[0].contiguous().data<float>().ToArray());
            ropeCos = graph.Weight("rope.cos", [count, hd], halves[1].contiguous().data<float>().ToArray());
            return;
        }
        // timm: bands = 1 / temperature ** (arange(hd/4) / (hd/4)) in float32 (computed here with the same torch operations).
        long bands = hd / 4;
        float[] frequencies;
        using (NewDisposeScope())
        {
            using Scalar bandCount = bands, temperature = rope.Temperature;
            var exponent = torch.arange(bands, int64).to(float32).div(bandCount);
            frequencies = torch.full_like(exponent, temperature).pow(exponent).reciprocal().data<float>().ToArray();
        }
        string bandsName = graph.Weight("rope.bands", [bands], frequencies);
        string Angles(string axis, int index)
        {
            string size = graph.Node("Gather", $"rope.{axis}.size", [gridSize!, graph.Int64($"index.{index}", [], index)], Int("axis", 0)); // scalar
            string positions = graph.Node("Cast", $"rope.{axis}.positions",
                [graph.Node("Range", $"rope.{axis}.range", [graph.Int64("scalar.0", [], 0), size, graph.Int64("scalar.1", [], 1)])], Int("to", (long)TensorProto.Types.DataType.Float));
            if (rope.ReferenceGrid > 0)
            {
                // EVA's positions at another grid than the trained one: t / size * reference.
                string sizeFloat = graph.Node("Cast", $"rope.{axis}.size.float", [size], Int("to", (long)TensorProto.Types.DataType.Float));
                positions = graph.Node("Mul", $"rope.{axis}.scaled",
                    [graph.Node("Div", $"rope.{axis}.relative", [positions, sizeFloat]), graph.FloatScalar($"rope.reference.{rope.ReferenceGrid}", rope.ReferenceGrid)]);
            }
            return graph.Node("Mul", $"rope.{axis}.angles", [graph.Node("Unsqueeze", $"rope.{axis}.column", [positions, graph.Int64Vector("axes.[1]", 1)]), bandsName]); // [size, bands]
        }
        string rowAngles = Angles("rows", 0), columnAngles = Angles("columns", 1);
        string gridShape = graph.Node("Concat", "rope.grid_shape", [gridSize!, graph.Int64Vector($"shape.[{bands}]", bands)], Int("axis", 0)); // [gh, gw, bands]
        string rows = graph.Node("Expand", "rope.rows.grid", [graph.Node("Unsqueeze", "rope.rows.unsqueeze", [rowAngles, graph.Int64Vector("axes.[1]", 1)]), gridShape]);
        string columns = graph.Node("Expand", "rope.columns.grid", [graph.Node("Unsqueeze", "rope.columns.unsqueeze", [columnAngles, graph.Int64Vector("axes.[0]", 0)]), gridShape]);
        string angles = graph.Node("Reshape", "rope.angles", [graph.Node("Concat", "rope.angles.concat", [rows, columns], Int("axis", -1)),
                                                              graph.Int64Vector($"shape.[-1,{hd / 2}]", -1, hd / 2)]); // [N, hd/2]
        string Twice(string name, string values) => graph.Node("Reshape", name,
            [graph.Node("Expand", $"{name}.expand", [graph.Node("Unsqueeze", $"{name}.unsqueeze", [values, graph.Int64Vector("axes.[-1]", -1)]), graph.Int64Vector("shape.[1,1,2]", 1, 1, 2)]),
             graph.Int64Vector($"shape.[-1,{hd}]", -1, hd)]); // each value twice: [N, hd]
        ropeSin = Twice("rope.sin", graph.Node("Sin", "rope.sin.half", [angles]));
        ropeCos = Twice("rope.cos", graph.Node("Cos", "rope.cos.half", [angles]));
    }

    /// <summary>timm's apply_rot_embed_cat (interleaved) on the patch tokens of [B,H,S,hd] queries or keys; the prefix tokens are left as they are.</summary>
    private string Rotate(string name, string x)
    {
        long hd = geometry.HeadDim, prefix = geometry.PrefixTokens;
        string patches = prefix == 0 ? x :
            graph.Node("Slice", $"{name}.patches", [x, graph.Int64Vector($"starts.[{prefix}]", prefix), graph.Int64Vector("ends.[max]", long.MaxValue), graph.Int64Vector("axes.[2]", 2)]);
        string pairs = graph.Node("Reshape", $"{name}.pairs", [patches, graph.Int64Vector($"shape.[0,0,0,{hd / 2},2]", 0, 0, 0, hd / 2, 2)]);
        var halves = graph.NodeWithOutputs("Split", $"{name}.split", [pairs, graph.Int64Vector("split.[1,1]", 1, 1)], 2, Int("axis", -1));
        // rot(x) = [-x1, x0, -x3, x2, ...]
        string rotated = graph.Node("Reshape", $"{name}.rotated",
            [graph.Node("Concat", $"{name}.rotated.concat", [graph.Node("Neg", $"{name}.neg", [halves[1]]), halves[0]], Int("axis", -1)),
             graph.Int64Vector($"shape.[0,0,0,{hd}]", 0, 0, 0, hd)]);
        string turned = graph.Node("Add", $"{name}.turned",
            [graph.Node("Mul", $"{name}.cos", [patches, ropeCos!]), graph.Node("Mul", $"{name}.sin", [rotated, ropeSin!])]);
        if (prefix == 0) return turned;
        string prefixTokens = graph.Node("Slice", $"{name}.prefix", [x, graph.Int64Vector("starts.[0]", 0), graph.Int64Vector($"ends.[{prefix}]", prefix), graph.Int64Vector("axes.[2]", 2)]);
        return graph.Node("Concat", name, [prefixTokens, turned], Int("axis", 2));
    }

    private void Output(string name, long width)
    {
        graph.Graph.Output.Add(Value(name, TensorProto.Types.DataType.Float, "batch", width));
        Outputs.Add((name, $"[batch,{width}]"));
    }

    private string Block(int i, string x)
    {
        string p = $"blocks.{i}";
        long e = spec.EmbedDim, heads = spec.Heads, hd = geometry.HeadDim;
        if (modules.TryGetValue($"{p}.attn", out var attention) && attention is Attention attn && attn.NumHeads != heads)
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: {p}.attn has {attn.NumHeads} heads, the spec {heads}.");

        // Attention: q, k, v, heads [B,H,S,hd], softmax(q k^T * scale) v, heads merged, proj.
        string h = Norm($"{p}.norm1", x, e);
        string headsShape = ShapeOf(-1, S, heads, hd);
        string Heads(string part, string name, params long[] perm) =>
            graph.Node("Transpose", $"{p}.attn.{name}", [graph.Node("Reshape", $"{p}.attn.{name}.reshape", [part, headsShape])], Ints("perm", perm));
        string qRows, kRows, vRows;
        if (spec.SeparateQkv)
        {
            qRows = Linear($"{p}.attn.q_proj", h, e, e, bias: spec.QkvBias);
            kRows = Linear($"{p}.attn.k_proj", h, e, e, bias: false);
            vRows = Linear($"{p}.attn.v_proj", h, e, e, bias: spec.QkvBias);
        }
        else
        {
            string qkv = Linear($"{p}.attn.qkv", h, e, 3 * e, bias: spec.QkvBias && !spec.SeparateQvBias);
            if (spec.SeparateQvBias)
            {
                // EVA's fused qkv: the bias is cat(q_bias, zeros, v_bias), added after the projection as the model does.
                string bias = graph.Node("Concat", $"{p}.attn.qkv_bias", [Param($"{p}.attn.q_bias", e), ZerosVector(e), Param($"{p}.attn.v_bias", e)], Int("axis", 0));
                qkv = graph.Node("Add", $"{p}.attn.qkv.bias", [qkv, bias]);
            }
            var parts = graph.NodeWithOutputs("Split", $"{p}.attn.split", [qkv, graph.Int64Vector($"split.[{e},{e},{e}]", e, e, e)], 3, Int("axis", 1));
            (qRows, kRows, vRows) = (parts[0], parts[1], parts[2]);
        }
        string q, kT, v = Heads(vRows, "v", 0, 2, 1, 3); // [B,H,S,hd]
        if (!spec.QkNorm && !spec.Rotary)
        {
            q = Heads(qRows, "q", 0, 2, 1, 3);   // [B,H,S,hd]
            kT = Heads(kRows, "k_t", 0, 2, 3, 1); // [B,H,hd,S]
        }
        else
        {
            q = Heads(qRows, "q", 0, 2, 1, 3);
            string k = Heads(kRows, "k", 0, 2, 1, 3);
            if (spec.QkNorm)
            {
                q = Norm($"{p}.attn.q_norm", q, hd);
                k = Norm($"{p}.attn.k_norm", k, hd);
            }
            if (spec.Rotary)
            {
                q = Rotate($"{p}.attn.q.rope", q);
                k = Rotate($"{p}.attn.k.rope", k);
            }
            kT = graph.Node("Transpose", $"{p}.attn.k_t", [k], Ints("perm", 0, 1, 3, 2)); // [B,H,hd,S]
        }
        string scores = graph.Node("MatMul", $"{p}.attn.scores", [q, kT]); // [B,H,S,S]
        string scaled = graph.Node("Mul", $"{p}.attn.scale", [scores, graph.FloatScalar($"scale.{hd}", (float)(1.0 / Math.Sqrt(hd)))]);
        string probabilities = graph.Node("Softmax", $"{p}.attn.softmax", [scaled], Int("axis", -1));
        string context = graph.Node("MatMul", $"{p}.attn.context", [probabilities, v]); // [B,H,S,hd]
        string merged = graph.Node("Transpose", $"{p}.attn.merge", [context], Ints("perm", 0, 2, 1, 3)); // [B,S,H,hd]
        string rows = graph.Node("Reshape", $"{p}.attn.merge.rows", [merged, graph.Int64Vector($"shape.[-1,{e}]", -1, e)]);
        if (spec.AttentionInnerNorm) rows = Norm($"{p}.attn.norm", rows, e);
        string attended = Linear($"{p}.attn.proj", rows, e, e, bias: true);
        if (spec.LayerScale) attended = graph.Node("Mul", $"{p}.ls1", [attended, Param(LayerScaleKey(p, 1), e)]);
        x = graph.Node("Add", $"{p}.residual1", [x, attended]);

        h = Norm($"{p}.norm2", x, e);
        string mlp = MlpBlock($"{p}.mlp", h, geometry.MlpDim, spec.MlpGate, spec.MlpInnerNorm);
        if (spec.LayerScale) mlp = graph.Node("Mul", $"{p}.ls2", [mlp, Param(LayerScaleKey(p, 2), e)]);
        return graph.Node("Add", $"{p}.residual2", [x, mlp]);
    }

    /// <summary>timm's Block keeps LayerScale as <c>ls1.gamma</c>, its EvaBlock as <c>gamma_1</c>.</summary>
    private string LayerScaleKey(string block, int which) =>
        state.ContainsKey($"{block}.gamma_{which}") ? $"{block}.gamma_{which}" : $"{block}.ls{which}.gamma";

    /// <summary>
    /// The MLP on [rows, E]: fc1, activation, fc2; gated, the activation of fc1's first half (packed) or of fc1_g (split)
    /// times the other; the optional inner norm before fc2.
    /// </summary>
    private string MlpBlock(string p, string h, long hidden, MlpGate gate, bool innerNorm)
    {
        long e = spec.EmbedDim, inner = gate == MlpGate.Packed ? hidden / 2 : hidden;
        string activated;
        switch (gate)
        {
            case MlpGate.Packed:
            {
                string fc1 = Linear($"{p}.fc1", h, e, hidden, bias: true);
                var halves = graph.NodeWithOutputs("Split", $"{p}.chunk", [fc1, graph.Int64Vector($"split.[{inner},{inner}]", inner, inner)], 2, Int("axis", 1));
                activated = graph.Node("Mul", $"{p}.gate", [Activation($"{p}.act", halves[0]), halves[1]]);
                break;
            }
            case MlpGate.Split:
            {
                string gated = Activation($"{p}.act", Linear($"{p}.fc1_g", h, e, hidden, bias: true));
                activated = graph.Node("Mul", $"{p}.gate", [gated, Linear($"{p}.fc1_x", h, e, hidden, bias: true)]);
                break;
            }
            default:
                activated = Activation($"{p}.act", Linear($"{p}.fc1", h, e, hidden, bias: true));
                break;
        }
        if (innerNorm) activated = Norm($"{p}.norm", activated, inner);
        return Linear($"{p}.fc2", activated, inner, e, bias: true);
    }

    /// <summary>
    /// The declared activation, its last node named <paramref name="name"/>: exact GELU 0.5 x (1 + erf(x / sqrt 2)) in the
    /// pattern ORT fuses; tanh GELU 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); QuickGELU x sigmoid(1.702 x); SiLU x sigmoid(x).
    /// </summary>
    private string Activation(string name, string x)
    {
        switch (spec.MlpActivation)
        {
            case MlpActivation.Gelu:
            {
                string erf = graph.Node("Erf", $"{name}.erf", [graph.Node("Div", $"{name}.div", [x, graph.FloatScalar("sqrt2", MathF.Sqrt(2f))])]);
                string onePlus = graph.Node("Add", $"{name}.add", [erf, graph.FloatScalar("one", 1f)]);
                return graph.Node("Mul", name, [graph.Node("Mul", $"{name}.mul", [x, onePlus]), graph.FloatScalar("half", 0.5f)]);
            }
            case MlpActivation.GeluTanh:
            {
                string cube = graph.Node("Mul", $"{name}.cube", [graph.Node("Mul", $"{name}.square", [x, x]), x]);
                string inner = graph.Node("Add", $"{name}.inner", [x, graph.Node("Mul", $"{name}.cubic", [cube, graph.FloatScalar("gelu_tanh.c", 0.044715f)])]);
                string tanh = graph.Node("Tanh", $"{name}.tanh", [graph.Node("Mul", $"{name}.scale", [inner, graph.FloatScalar("sqrt_2_over_pi", (float)Math.Sqrt(2 / Math.PI))])]);
                string onePlus = graph.Node("Add", $"{name}.add", [tanh, graph.FloatScalar("one", 1f)]);
                return graph.Node("Mul", name, [graph.Node("Mul", $"{name}.mul", [x, onePlus]), graph.FloatScalar("half", 0.5f)]);
            }
            case MlpActivation.QuickGelu:
                return graph.Node("Mul", name, [x, graph.Node("Sigmoid", $"{name}.sigmoid", [graph.Node("Mul", $"{name}.scale", [x, graph.FloatScalar("quick_gelu.factor", 1.702f)])])]);
            case MlpActivation.Silu:
                return graph.Node("Mul", name, [x, graph.Node("Sigmoid", $"{name}.sigmoid", [x])]);
            default:
                throw new OnnxExportException($"{modelName} cannot be exported to ONNX: the exporter does not know the activation {spec.MlpActivation}.");
        }
    }

    /// <summary>
    /// SigLIP's attention pool (timm's AttentionPoolLatent) over the patch tokens [B,N,E]: the latent query (the same for
    /// every image) attends over the tokens' keys and values, is projected, and gets a residual MLP on its norm. [B,E].
    /// </summary>
    private string AttentionPool(string patchTokens)
    {
        const string p = "attn_pool";
        long e = spec.EmbedDim, heads = spec.Heads, hd = geometry.HeadDim;
        if (!modules.TryGetValue(p, out var module) || module is not AttentionPoolLatent)
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: its spec has an attention pool but '{p}' is not an AttentionPoolLatent.");
        string latent = graph.Node("Reshape", $"{p}.latent.row", [Param($"{p}.latent", 1, 1, e), graph.Int64Vector($"shape.[-1,{e}]", -1, e)]);
        string query = graph.Node("Transpose", $"{p}.q.heads",
            [graph.Node("Reshape", $"{p}.q.reshape", [Linear($"{p}.q", latent, e, e, bias: true), graph.Int64Vector($"shape.[1,1,{heads},{hd}]", 1, 1, heads, hd)])],
            Ints("perm", 0, 2, 1, 3)); // [1,H,1,hd]
        string rows = graph.Node("Reshape", $"{p}.rows", [patchTokens, graph.Int64Vector($"shape.[-1,{e}]", -1, e)]);
        var kv = graph.NodeWithOutputs("Split", $"{p}.kv.split", [Linear($"{p}.kv", rows, e, 2 * e, bias: true), graph.Int64Vector($"split.[{e},{e}]", e, e)], 2, Int("axis", 1));
        string headsShape = ShapeOf(-1, N, heads, hd);
        string kT = graph.Node("Transpose", $"{p}.k_t", [graph.Node("Reshape", $"{p}.k.reshape", [kv[0], headsShape])], Ints("perm", 0, 2, 3, 1)); // [B,H,hd,N]
        string v = graph.Node("Transpose", $"{p}.v", [graph.Node("Reshape", $"{p}.v.reshape", [kv[1], headsShape])], Ints("perm", 0, 2, 1, 3));   // [B,H,N,hd]
        string scores = graph.Node("Mul", $"{p}.scale", [graph.Node("MatMul", $"{p}.scores", [query, kT]), graph.FloatScalar($"scale.{hd}", (float)(1.0 / Math.Sqrt(hd)))]);
        string context = graph.Node("MatMul", $"{p}.context", [graph.Node("Softmax", $"{p}.softmax", [scores], Int("axis", -1)), v]); // [B,H,1,hd]
        string merged = graph.Node("Reshape", $"{p}.merge", [graph.Node("Transpose", $"{p}.merge.transpose", [context], Ints("perm", 0, 2, 1, 3)),
                                                             graph.Int64Vector($"shape.[-1,{e}]", -1, e)]); // [B,E]
        string x = Linear($"{p}.proj", merged, e, e, bias: true);
        string mlp = MlpBlock($"{p}.mlp", Norm($"{p}.norm", x, e), geometry.MlpDim, MlpGate.None, innerNorm: false);
        return graph.Node("Add", $"{p}.residual", [x, mlp]);
    }

    private string Linear(string name, string input, long inFeatures, long outFeatures, bool bias, string? nodeName = null)
    {
        if (!bias && state.ContainsKey($"{name}.bias"))
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: '{name}.bias' exists but the spec says the layer has no bias.");
        if (modules.TryGetValue(name, out var module) && module is PackableLinear layer && Int8Inference.IsQuantized(layer))
            return QuantizedLinear(name, input, inFeatures, outFeatures, bias);
        var inputs = new List<string> { input, Param($"{name}.weight", outFeatures, inFeatures) };
        if (bias) inputs.Add(Param($"{name}.bias", outFeatures));
        return graph.Node("Gemm", nodeName ?? name, inputs, Int("transB", 1));
    }

    /// <summary>
    /// A Linear that <see cref="Int8Inference"/> marked, as ONNX Runtime's <c>com.microsoft.DynamicQuantizeMatMul</c>
    /// (what its <c>quantize_dynamic</c> makes of a MatMul): the input quantized to uint8 per call as
    /// DynamicQuantizeLinear defines it, B the weight transposed [in, out] in int8 with one scale per output column
    /// (<see cref="Int8Inference.QuantizeWeight"/>), zero points 0, the float32 bias added.
    /// </summary>
    private string QuantizedLinear(string name, string input, long inFeatures, long outFeatures, bool bias)
    {
        string key = $"{name}.weight";
        if (!state.TryGetValue(key, out var weight) || !weight.shape.SequenceEqual([outFeatures, inFeatures]))
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: '{key}' is missing or not [{outFeatures}, {inFeatures}].");
        used.Add(key);
        byte[] quantized;
        float[] scales;
        using (NewDisposeScope())
        {
            var (q, s) = Int8Inference.QuantizeWeight(weight.detach().cpu());
            quantized = q.t().contiguous().to(ScalarType.Int8).bytes.ToArray(); // [in, out], row-major
            scales = s.contiguous().data<float>().ToArray();
        }
        var inputs = new List<string>
        {
            input,
            graph.Weight($"{key}.int8", [inFeatures, outFeatures], TensorProto.Types.DataType.Int8, quantized),
            graph.Weight($"{key}.scale", [outFeatures], scales),
            graph.Weight($"{key}.zero_point", [outFeatures], TensorProto.Types.DataType.Int8, new byte[outFeatures]),
        };
        if (bias) inputs.Add(Param($"{name}.bias", outFeatures));
        QuantizedLinears++;
        var result = graph.Node("DynamicQuantizeMatMul", name, inputs);
        graph.Graph.Node[^1].Domain = MicrosoftDomain;
        return result;
    }

    /// <summary>The module's norm over the last axis: LayerNormalization, or RMSNorm as x * (1 / sqrt(mean(x^2) + eps)) * weight.</summary>
    private string Norm(string name, string input, long width)
    {
        modules.TryGetValue(name, out var module);
        switch (module)
        {
            case LayerNorm norm:
                if (double.IsNaN(LayerNormEps)) LayerNormEps = norm.eps;
                return graph.Node("LayerNormalization", name, [input, Param($"{name}.weight", width), Param($"{name}.bias", width)],
                    Int("axis", -1), Float("epsilon", (float)norm.eps));
            case RmsNorm rms:
            {
                if (double.IsNaN(LayerNormEps)) LayerNormEps = rms.Eps;
                string square = graph.Node("Mul", $"{name}.square", [input, input]);
                string meanSquare = ReduceMean($"{name}.mean", square, -1, keepDims: true);
                string root = graph.Node("Sqrt", $"{name}.sqrt", [graph.Node("Add", $"{name}.eps", [meanSquare, graph.FloatScalar($"eps.{rms.Eps:R}", (float)rms.Eps)])]);
                string normalised = graph.Node("Mul", $"{name}.normalise", [input, graph.Node("Reciprocal", $"{name}.rsqrt", [root])]);
                return graph.Node("Mul", name, [normalised, Param($"{name}.weight", width)]);
            }
            default:
                throw new OnnxExportException($"{modelName} cannot be exported to ONNX: '{name}' is not a LayerNorm or an RmsNorm.");
        }
    }

    private string ReduceMean(string name, string input, long axis, bool keepDims) => opset >= 18
        ? graph.Node("ReduceMean", name, [input, graph.Int64Vector($"axes.[{axis}]", axis)], Int("keepdims", keepDims ? 1 : 0))
        : graph.Node("ReduceMean", name, [input], Ints("axes", axis), Int("keepdims", keepDims ? 1 : 0));

    /// <summary>A float32 vector of zeros (the key's slot of EVA's qkv bias), stored once.</summary>
    private string ZerosVector(long width)
    {
        string key = $"#zeros.{width}";
        if (!shapes.TryGetValue(key, out var name)) shapes[key] = name = graph.Weight($"zeros.{width}", [width], new float[width]);
        return name;
    }

    /// <summary>The tensor of a state_dict key as a float32 initializer of that name, its shape checked.</summary>
    private string Param(string key, params long[] dims)
    {
        if (!state.TryGetValue(key, out var tensor))
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: it has no '{key}', which its spec implies.");
        if (!tensor.shape.SequenceEqual(dims))
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: '{key}' is {VitGeometry.FormatShape(tensor.shape)}, its spec implies {VitGeometry.FormatShape(dims)}.");
        if (!used.Add(key)) return key;
        float[] values;
        using (NewDisposeScope()) values = tensor.detach().cpu().contiguous().data<float>().ToArray(); // the model's tensor is not disposed
        return graph.Weight(key, dims, values);
    }
}
