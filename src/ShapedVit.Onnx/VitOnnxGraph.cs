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
    ];

    private readonly OnnxGraphWriter graph = new();
    private readonly Dictionary<string, Tensor> state;
    private readonly Dictionary<string, nn.Module> modules;
    private readonly HashSet<string> used = new();
    private readonly VitSpec spec;
    private readonly VitGeometry geometry;
    private readonly int opset;
    private readonly string modelName;

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
    /// <summary>The epsilon of the first LayerNorm (the generator gives all of them the declared one).</summary>
    public double LayerNormEps { get; private set; } = double.NaN;

    public static VitOnnxGraph Build(IVisionTransformer vit, OnnxExportOptions options)
    {
        if (vit is not nn.Module module)
            throw new OnnxExportException($"{vit.GetType().Name} cannot be exported to ONNX: it is not a TorchSharp module (only generated Vision Transformers are).");
        var built = new VitOnnxGraph(module, vit, options.Opset);
        built.Emit(options.IncludePooledFeatures);
        return built;
    }

    private void Emit(bool includePooled)
    {
        long e = spec.EmbedDim, s = geometry.SequenceLength, n = geometry.NumPatches;
        graph.Graph.Name = modelName;
        graph.Graph.DocString = $"{modelName}: {geometry.Trace} (ShapedVit; images [batch,{spec.Channels},{spec.ImageHeight},{spec.ImageWidth}] float32)";
        graph.Graph.Input.Add(Value(InputName, TensorProto.Types.DataType.Float, "batch", spec.Channels, spec.ImageHeight, spec.ImageWidth));

        // Patch embedding: Conv with kernel = stride = patch, then [B,E,gh,gw] -> [B,N,E].
        string conv = graph.Node("Conv", "patch_embed.proj",
            [InputName, Param("patch_embed.proj.weight", e, spec.Channels, spec.PatchHeight, spec.PatchWidth), Param("patch_embed.proj.bias", e)],
            Ints("kernel_shape", spec.PatchHeight, spec.PatchWidth), Ints("strides", spec.PatchHeight, spec.PatchWidth));
        string flat = graph.Node("Reshape", "patch_embed.flatten", [conv, graph.Int64Vector($"shape.[0,{e},{n}]", 0, e, n)]);
        string tokens = graph.Node("Transpose", "patch_embed.transpose", [flat], Ints("perm", 0, 2, 1)); // [B,N,E]

        // Prefix tokens, broadcast to the batch: class token, then register tokens, then the patches (timm's order).
        if (geometry.PrefixTokens > 0)
        {
            string batch = graph.Node("Shape", "batch_size", [InputName], Int("start", 0), Int("end", 1));
            string expandShape = graph.Node("Concat", "prefix_shape", [batch, graph.Int64Vector("shape.[1,1]", 1, 1)], Int("axis", 0));
            var parts = new List<string>();
            if (spec.ClassToken)
                parts.Add(graph.Node("Expand", "cls_token.expand", [Param("cls_token", 1, 1, e), expandShape]));
            if (spec.RegisterTokens > 0)
                parts.Add(graph.Node("Expand", "reg_token.expand", [Param("reg_token", 1, spec.RegisterTokens, e), expandShape]));
            parts.Add(tokens);
            tokens = graph.Node("Concat", "tokens", parts, Int("axis", 1));
        }
        tokens = graph.Node("Add", "pos_embed.add", [tokens, Param("pos_embed", 1, s, e)]); // [B,S,E]
        // Position dropout and (in evaluation) patch dropout are identities.

        // The encoder works on [B*S, E] rows, so every Linear is one Gemm with timm's weight as it is (transB = 1).
        string x = graph.Node("Reshape", "tokens.rows", [tokens, graph.Int64Vector($"shape.[-1,{e}]", -1, e)]);
        for (int i = 0; i < spec.Depth; i++) x = Block(i, x);

        bool classToken = spec.Pooling == Pooling.ClassToken;
        if (state.ContainsKey("norm.weight")) x = LayerNorm("norm", x, e);
        else if (classToken) throw new OnnxExportException($"{modelName} cannot be exported to ONNX: class-token pooling without the final 'norm' is not a ShapedVit layout.");
        string sequence = graph.Node("Reshape", "tokens.sequence", [x, graph.Int64Vector($"shape.[-1,{s},{e}]", -1, s, e)]); // [B,S,E]

        string pooled;
        if (classToken)
            pooled = graph.Node("Gather", "pool.class_token", [sequence, graph.Int64("index.0", [], 0)], Int("axis", 1)); // [B,E]
        else
        {
            string patchTokens = geometry.PrefixTokens == 0 ? sequence :
                graph.Node("Slice", "pool.patch_tokens", [sequence, graph.Int64Vector($"starts.[{geometry.PrefixTokens}]", geometry.PrefixTokens),
                                                         graph.Int64Vector($"ends.[{s}]", s), graph.Int64Vector("axes.[1]", 1)]);
            pooled = opset >= 18
                ? graph.Node("ReduceMean", "pool.mean", [patchTokens, graph.Int64Vector("axes.[1]", 1)], Int("keepdims", 0))
                : graph.Node("ReduceMean", "pool.mean", [patchTokens], Ints("axes", 1), Int("keepdims", 0));
            if (state.ContainsKey("fc_norm.weight")) pooled = LayerNorm("fc_norm", pooled, e);
        }

        string representation = pooled;
        long width = e;
        if (spec.RepresentationSize > 0)
        {
            string fc = Linear("pre_logits.fc", pooled, e, spec.RepresentationSize, bias: true);
            representation = graph.Node("Tanh", "pre_logits.act", [fc]);
            width = spec.RepresentationSize;
        }

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

        var unused = state.Keys.Where(key => !used.Contains(key)).Order(StringComparer.Ordinal).ToList();
        if (unused.Count > 0)
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: the exporter does not know what to do with {string.Join(", ", unused)}.");
    }

    private void Output(string name, long width)
    {
        graph.Graph.Output.Add(Value(name, TensorProto.Types.DataType.Float, "batch", width));
        Outputs.Add((name, $"[batch,{width}]"));
    }

    private string Block(int i, string x)
    {
        string p = $"blocks.{i}";
        long e = spec.EmbedDim, s = geometry.SequenceLength, heads = spec.Heads, hd = geometry.HeadDim, m = geometry.MlpDim;
        if (modules.TryGetValue($"{p}.attn", out var attention) && attention is Attention attn && attn.NumHeads != heads)
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: {p}.attn has {attn.NumHeads} heads, the spec {heads}.");

        // Attention: qkv, split, heads [B,H,S,hd], softmax(q k^T * scale) v, heads merged, proj.
        string h = LayerNorm($"{p}.norm1", x, e);
        string qkv = Linear($"{p}.attn.qkv", h, e, 3 * e, bias: spec.QkvBias);
        var qkvParts = graph.NodeWithOutputs("Split", $"{p}.attn.split", [qkv, graph.Int64Vector($"split.[{e},{e},{e}]", e, e, e)], 3, Int("axis", 1));
        string headsShape = graph.Int64Vector($"shape.[-1,{s},{heads},{hd}]", -1, s, heads, hd);
        string Heads(string part, string name, params long[] perm) =>
            graph.Node("Transpose", $"{p}.attn.{name}", [graph.Node("Reshape", $"{p}.attn.{name}.reshape", [part, headsShape])], Ints("perm", perm));
        string q = Heads(qkvParts[0], "q", 0, 2, 1, 3);   // [B,H,S,hd]
        string kT = Heads(qkvParts[1], "k_t", 0, 2, 3, 1); // [B,H,hd,S]
        string v = Heads(qkvParts[2], "v", 0, 2, 1, 3);   // [B,H,S,hd]
        string scores = graph.Node("MatMul", $"{p}.attn.scores", [q, kT]); // [B,H,S,S]
        string scaled = graph.Node("Mul", $"{p}.attn.scale", [scores, graph.FloatScalar($"scale.{hd}", (float)(1.0 / Math.Sqrt(hd)))]);
        string probabilities = graph.Node("Softmax", $"{p}.attn.softmax", [scaled], Int("axis", -1));
        string context = graph.Node("MatMul", $"{p}.attn.context", [probabilities, v]); // [B,H,S,hd]
        string merged = graph.Node("Transpose", $"{p}.attn.merge", [context], Ints("perm", 0, 2, 1, 3)); // [B,S,H,hd]
        string rows = graph.Node("Reshape", $"{p}.attn.merge.rows", [merged, graph.Int64Vector($"shape.[-1,{e}]", -1, e)]);
        string attended = Linear($"{p}.attn.proj", rows, e, e, bias: true);
        if (spec.LayerScale) attended = graph.Node("Mul", $"{p}.ls1", [attended, Param($"{p}.ls1.gamma", e)]);
        x = graph.Node("Add", $"{p}.residual1", [x, attended]);

        // MLP: fc1, exact GELU 0.5 x (1 + erf(x / sqrt 2)) in the pattern ORT fuses, fc2.
        h = LayerNorm($"{p}.norm2", x, e);
        string fc1 = Linear($"{p}.mlp.fc1", h, e, m, bias: true);
        string erf = graph.Node("Erf", $"{p}.mlp.act.erf", [graph.Node("Div", $"{p}.mlp.act.div", [fc1, graph.FloatScalar("sqrt2", MathF.Sqrt(2f))])]);
        string onePlus = graph.Node("Add", $"{p}.mlp.act.add", [erf, graph.FloatScalar("one", 1f)]);
        string gelu = graph.Node("Mul", $"{p}.mlp.act", [graph.Node("Mul", $"{p}.mlp.act.mul", [fc1, onePlus]), graph.FloatScalar("half", 0.5f)]);
        string fc2 = Linear($"{p}.mlp.fc2", gelu, m, e, bias: true);
        if (spec.LayerScale) fc2 = graph.Node("Mul", $"{p}.ls2", [fc2, Param($"{p}.ls2.gamma", e)]);
        return graph.Node("Add", $"{p}.residual2", [x, fc2]);
    }

    private string Linear(string name, string input, long inFeatures, long outFeatures, bool bias)
    {
        if (!bias && state.ContainsKey($"{name}.bias"))
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: '{name}.bias' exists but the spec says the layer has no bias.");
        if (modules.TryGetValue(name, out var module) && module is PackableLinear layer && Int8Inference.IsQuantized(layer))
            return QuantizedLinear(name, input, inFeatures, outFeatures, bias);
        var inputs = new List<string> { input, Param($"{name}.weight", outFeatures, inFeatures) };
        if (bias) inputs.Add(Param($"{name}.bias", outFeatures));
        return graph.Node("Gemm", name, inputs, Int("transB", 1));
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

    private string LayerNorm(string name, string input, long width)
    {
        if (!modules.TryGetValue(name, out var module) || module is not LayerNorm norm)
            throw new OnnxExportException($"{modelName} cannot be exported to ONNX: '{name}' is not a LayerNorm.");
        if (double.IsNaN(LayerNormEps)) LayerNormEps = norm.eps;
        return graph.Node("LayerNormalization", name, [input, Param($"{name}.weight", width), Param($"{name}.bias", width)],
            Int("axis", -1), Float("epsilon", (float)norm.eps));
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
