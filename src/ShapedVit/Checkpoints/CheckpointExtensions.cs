using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Checkpoints;

/// <summary>How <see cref="CheckpointExtensions.LoadSafetensors"/> treats a checkpoint.</summary>
public sealed class CheckpointLoadOptions
{
    /// <summary>The checkpoint's key naming; null detects it from the keys.</summary>
    public CheckpointNaming? Naming { get; init; }

    /// <summary>
    /// Resample a position embedding trained on another patch grid to the model's grid (true, the default); when false a
    /// different grid is a shape mismatch.
    /// </summary>
    public bool ResamplePositionEmbedding { get; init; } = true;

    /// <summary>
    /// Whether the checkpoint's position embedding has rows for the class and register tokens (true: timm's default;
    /// false: timm's <c>no_embed_class</c> models such as DeiT III, whose prefix tokens get no position); null, the default,
    /// detects it: a position embedding holding exactly the model's grid, or a square grid only without the prefix rows,
    /// is taken as <c>no_embed_class</c>. Such an embedding is loaded with zero rows for the prefix tokens, which computes
    /// exactly what timm computes.
    /// </summary>
    public bool? PositionEmbeddingHasPrefixTokens { get; init; }

    /// <summary>
    /// What happens to the checkpoint's classifier (<c>head.*</c>, <c>pre_logits.*</c>); every other tensor stays strict.
    /// <see cref="ClassifierLoading.Load"/> (the default) loads it like any other tensor. For fine-tuning use
    /// <see cref="ClassifierLoading.Reset"/>, timm's <c>reset_classifier</c>. <see cref="CheckpointLoadResult.ReinitializedTensors"/>
    /// and <see cref="CheckpointLoadResult.DroppedTensors"/> say exactly what was kept and left out.
    /// </summary>
    public ClassifierLoading Classifier { get; init; }
}

/// <summary>What <see cref="CheckpointExtensions.LoadSafetensors"/> does with a checkpoint's classifier (<see cref="CheckpointLoadOptions.Classifier"/>).</summary>
public enum ClassifierLoading
{
    /// <summary>Strict: the classifier loads like every other tensor, and a classifier that does not fit the model is a mismatch.</summary>
    Load = 0,
    /// <summary>
    /// Timm's <c>reset_classifier</c>, what fine-tuning needs: the checkpoint's classifier is never loaded, whatever its
    /// shape, and the model keeps its own classifier tensors (its constructor's initialisation). A head of the same class
    /// count is replaced too, so a 10-class checkpoint fine-tuned on 10 new classes does not start from the old head.
    /// </summary>
    Reset = 1,
    /// <summary>
    /// The checkpoint's classifier loads where it fits the model exactly (same keys and shapes) and is left out where it does
    /// not (another class count, a pre-logits layer on one side only, a headless model), the model keeping its own.
    /// </summary>
    ReplaceIfMismatched = 2,
}

/// <summary>What a successful load did.</summary>
public sealed class CheckpointLoadResult
{
    internal CheckpointLoadResult(CheckpointNaming naming, IReadOnlyDictionary<string, string> rawMetadata, CheckpointMetadata metadata,
                                  (long Height, long Width)? resampledFrom, bool prefixRowsAdded,
                                  IReadOnlyList<string> reinitialized, IReadOnlyList<string> dropped, IReadOnlyList<string> ignored)
    {
        Naming = naming; RawMetadata = rawMetadata; Metadata = metadata; PositionEmbeddingResampledFrom = resampledFrom;
        PositionEmbeddingPrefixRowsAdded = prefixRowsAdded; ReinitializedTensors = reinitialized; DroppedTensors = dropped;
        IgnoredTensors = ignored;
    }

    /// <summary>The naming the keys were read in.</summary>
    public CheckpointNaming Naming { get; }
    /// <summary>The file's metadata, typed (model name, architecture, labels, preprocessing; other keys in <see cref="CheckpointMetadata.Extra"/>).</summary>
    public CheckpointMetadata Metadata { get; }
    /// <summary>The file's <c>__metadata__</c> as stored.</summary>
    public IReadOnlyDictionary<string, string> RawMetadata { get; }
    /// <summary>The checkpoint's patch grid when its position embedding was resampled, else null.</summary>
    public (long Height, long Width)? PositionEmbeddingResampledFrom { get; }
    /// <summary>True when the checkpoint's position embedding had no rows for the prefix tokens (<c>no_embed_class</c>) and zero rows were added.</summary>
    public bool PositionEmbeddingPrefixRowsAdded { get; }
    /// <summary>Model keys left at the model's own initialisation instead of the checkpoint's classifier (see <see cref="CheckpointLoadOptions.Classifier"/>), with their shapes.</summary>
    public IReadOnlyList<string> ReinitializedTensors { get; }
    /// <summary>The checkpoint's classifier keys (timm naming) that were not loaded (see <see cref="CheckpointLoadOptions.Classifier"/>), with their shapes.</summary>
    public IReadOnlyList<string> DroppedTensors { get; }
    /// <summary>
    /// Checkpoint tensors of a Hugging Face naming that the image model provably never reads and that were not loaded (a CLIP
    /// or SigLIP text tower, DINOv2's pre-training mask token...), each as "key [shape]: why" (see <see cref="TimmKeyedTensors.IgnoredTensors"/>).
    /// </summary>
    public IReadOnlyList<string> IgnoredTensors { get; }
}

/// <summary>Loading and saving a module's weights as safetensors.</summary>
public static class CheckpointExtensions
{
    private const string PositionEmbeddingKey = "pos_embed";

    /// <summary>
    /// Loads a safetensors checkpoint in timm, torchvision or Hugging Face naming (ViT, DeiT, DINOv2, CLIP and SigLIP vision
    /// towers: see <see cref="CheckpointNaming"/>) into <paramref name="model"/> strictly, all
    /// or nothing: the header, the metadata (<see cref="CheckpointMetadata.Parse"/>, then the labels against the file's
    /// classifier and the preprocessing's input size and channels against the model), the keys, the shapes and the dtypes are
    /// all validated before the first parameter is written, so a failed load leaves the model bit for bit as it was. Every
    /// missing, unexpected, wrong-shaped or unconvertible tensor is listed in one <see cref="CheckpointException"/>; every
    /// exception names <paramref name="path"/>. Floating-point tensors are converted to each parameter's dtype and device,
    /// one tensor at a time. A trainer's state file (ShapedVit.Training's <c>TrainingCheckpoint</c>) is recognised and refused in one line
    /// (<see cref="CheckpointRule.TrainingStateFile"/>): it is not model weights. For fine-tuning, reset the head with
    /// <see cref="CheckpointLoadOptions.Classifier"/> = <see cref="ClassifierLoading.Reset"/>.
    /// </summary>
    public static CheckpointLoadResult LoadSafetensors(this nn.Module model, string path, CheckpointLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        // The header first: a state file is refused before its tensors (weights and optimizer moments) are read.
        if (Safetensors.ReadHeader(path).Metadata.ContainsKey(CheckpointMetadataKeys.TrainingState))
            throw new CheckpointException(CheckpointRule.TrainingStateFile, null,
                "this is a ShapedVit training state file (weights, optimizer state and progress for resuming a run), not model weights: " +
                "load the model file saved beside it, or use ShapedVit.Training's TrainingCheckpoint.LoadWeights.", path);
        using var file = Safetensors.ReadAll(path);
        return model.LoadTensors(file.Tensors, path, file.Metadata, options);
    }

    /// <summary>
    /// Loads named tensors (read from <paramref name="source"/>, a path for messages) into <paramref name="model"/> with the
    /// rules of <see cref="LoadSafetensors"/>, <paramref name="metadata"/> included: everything is validated before the model
    /// changes. The tensors stay the caller's.
    /// </summary>
    public static CheckpointLoadResult LoadTensors(this nn.Module model, IReadOnlyDictionary<string, Tensor> checkpoint, string source,
                                                   IReadOnlyDictionary<string, string>? metadata = null, CheckpointLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(checkpoint);
        options ??= new CheckpointLoadOptions();
        metadata ??= new Dictionary<string, string>();
        var typedMetadata = CheckpointMetadata.Parse(metadata, source);
        // The model's own tensors are fetched outside the scope below: they must not be disposed with the checkpoint's.
        var targets = model.state_dict();

        using var scope = NewDisposeScope();
        var renamed = CheckpointKeys.ToTimm(checkpoint, options.Naming, source);
        var tensors = renamed.Tensors;
        (long, long)? resampledFrom = null;
        string? positionProblem = null;
        bool prefixRowsAdded = false;

        if (model is IVisionTransformer vit &&
            tensors.TryGetValue(PositionEmbeddingKey, out var positions) && targets.TryGetValue(PositionEmbeddingKey, out var target))
        {
            var geometry = vit.Geometry;
            // The model's own prefix slots: none where its embedding covers only the patches (timm's no_embed_class).
            long slots = geometry.PositionEmbeddingTokens - geometry.NumPatches;
            if (LacksPrefixRows(positions, target, geometry, options))
            {
                var zeros = torch.zeros(new[] { 1L, slots, positions.shape[2] }, positions.dtype, positions.device);
                positions = tensors[PositionEmbeddingKey] = torch.cat(new[] { zeros, positions }, 1);
                prefixRowsAdded = true;
            }
            if (options.ResamplePositionEmbedding && !positions.shape.SequenceEqual(target.shape))
            {
                long gridTokens = positions.dim() == 3 ? positions.shape[1] - slots : 0;
                var grid = PositionEmbedding.SquareGrid(gridTokens);
                if (positions.dim() != 3 || positions.shape[0] != 1 || positions.shape[2] != target.shape[2])
                    positionProblem = "it cannot be resampled: only the token count may differ";
                else if (grid is null)
                    positionProblem = $"it cannot be resampled: {gridTokens} tokens after {slots} prefix token(s) are no square grid";
                else
                {
                    tensors[PositionEmbeddingKey] = PositionEmbedding.Resample(positions, geometry.GridHeight, geometry.GridWidth, slots);
                    resampledFrom = grid;
                }
            }
        }

        // The file's own classifier, before a re-initialised head drops it: the labels describe it.
        var fileClassifier = tensors.TryGetValue(ClassifierWeightKey, out var classifierWeight) ? classifierWeight.shape : null;
        var reinitialized = new List<string>();
        var dropped = new List<string>();
        bool replaceClassifier = options.Classifier switch
        {
            ClassifierLoading.Reset => true,
            ClassifierLoading.ReplaceIfMismatched => !ClassifierFits(targets, tensors),
            _ => false,
        };
        if (replaceClassifier)
        {
            foreach (var (key, parameter) in targets)
                if (IsClassifierKey(key)) reinitialized.Add($"{key} {TensorShapes.Format(parameter.shape)}");
            foreach (var key in tensors.Keys.Where(IsClassifierKey).ToList())
            {
                dropped.Add($"{key} {TensorShapes.Format(tensors[key].shape)}");
                tensors.Remove(key);
            }
        }

        var missing = new List<string>();
        var unexpected = new List<string>();
        var wrongShape = new List<string>();
        var wrongDtype = new List<string>();
        string Named(string key) => renamed.SourceKeys.TryGetValue(key, out var from) && from != key ? $"{key} (checkpoint: {from})" : key;
        foreach (var (key, parameter) in targets)
        {
            if (replaceClassifier && IsClassifierKey(key)) continue;
            if (!tensors.TryGetValue(key, out var tensor))
            {
                missing.Add($"{key} {TensorShapes.Format(parameter.shape)}");
                continue;
            }
            if (!tensor.shape.SequenceEqual(parameter.shape))
            {
                string why = key == PositionEmbeddingKey
                    ? positionProblem ?? (options.ResamplePositionEmbedding ? "" : "; resampling is turned off")
                    : IsClassifierKey(key) ? "; to fine-tune into another head, load with Classifier = ClassifierLoading.Reset" : "";
                if (why.Length > 0 && !why.StartsWith(';')) why = "; " + why;
                wrongShape.Add($"{Named(key)}: checkpoint {TensorShapes.Format(tensor.shape)}, model {TensorShapes.Format(parameter.shape)}{why}");
            }
            else if (tensor.dtype != parameter.dtype && !(SafetensorsDtypes.IsFloating(tensor.dtype) && SafetensorsDtypes.IsFloating(parameter.dtype)))
                wrongDtype.Add($"{Named(key)}: checkpoint {tensor.dtype}, model {parameter.dtype}");
        }
        foreach (var (key, tensor) in tensors)
            if (!targets.ContainsKey(key))
                unexpected.Add($"{Named(key)} {TensorShapes.Format(tensor.shape)}");
        if (missing.Count + unexpected.Count + wrongShape.Count + wrongDtype.Count > 0)
            throw new CheckpointException(source, missing, unexpected, wrongShape, wrongDtype);

        if (typedMetadata.Labels is { } labels)
            CheckpointMetadata.CheckLabelCount(labels.Count, fileClassifier is null ? null : Named(ClassifierWeightKey), fileClassifier, source);
        if (typedMetadata.Preprocessing is { } preprocessing && model is IVisionTransformer checkedVit)
            CheckInputSize(preprocessing, checkedVit, resampledFrom, source);

        // Every check is done, so the copies below cannot fail for a reason of the checkpoint's. Each tensor is converted to
        // its parameter's dtype and device just before its copy and freed after it: at most one converted tensor exists.
        using (torch.no_grad())
        {
            foreach (var (key, parameter) in targets)
            {
                if (!tensors.TryGetValue(key, out var tensor)) continue; // a re-initialised classifier tensor
                if (tensor.dtype == parameter.dtype && tensor.device_type == parameter.device_type) parameter.copy_(tensor);
                else
                {
                    using var converted = tensor.to(parameter.dtype, parameter.device);
                    parameter.copy_(converted);
                }
            }
        }
        return new CheckpointLoadResult(renamed.Naming, metadata, typedMetadata, resampledFrom, prefixRowsAdded, reinitialized, dropped, renamed.IgnoredTensors);
    }

    private const string ClassifierWeightKey = "head.weight";

    /// <summary>
    /// Refuses preprocessing that does not describe the images the checkpoint's weights were trained on: the model's channels,
    /// and the patch grid of the file's position embedding (the model's own, unless it was resampled) times the patch size.
    /// </summary>
    private static void CheckInputSize(PreprocessConfig preprocessing, IVisionTransformer vit, (long Height, long Width)? resampledFrom, string source)
    {
        var spec = vit.Spec;
        if (preprocessing.Channels != spec.Channels)
            throw CheckpointMetadata.Invalid(CheckpointMetadataKeys.Preprocessing, "'input_size'",
                $"states {preprocessing.Channels} channel(s), but the model takes {spec.Channels}.", source);
        long height = (resampledFrom?.Height ?? vit.Geometry.GridHeight) * spec.PatchHeight;
        long width = (resampledFrom?.Width ?? vit.Geometry.GridWidth) * spec.PatchWidth;
        if (preprocessing.Size != height || preprocessing.Size != width)
            throw CheckpointMetadata.Invalid(CheckpointMetadataKeys.Preprocessing, "'input_size'",
                $"states {preprocessing.Size}x{preprocessing.Size} images, but the checkpoint's weights are for {height}x{width}.", source);
    }

    private const string HeadPrefix = "head.";
    private const string DistillationHeadPrefix = "head_dist.";
    private const string PreLogitsPrefix = "pre_logits.";

    /// <summary>The classifier's keys in timm's layout: the head, DeiT's distillation head and the pre-logits (representation) layer.</summary>
    private static bool IsClassifierKey(string key) => key.StartsWith(HeadPrefix, StringComparison.Ordinal) ||
        key.StartsWith(DistillationHeadPrefix, StringComparison.Ordinal) || key.StartsWith(PreLogitsPrefix, StringComparison.Ordinal);

    /// <summary>Whether the checkpoint's classifier tensors are exactly the model's (same keys, same shapes).</summary>
    private static bool ClassifierFits(IReadOnlyDictionary<string, Tensor> model, IReadOnlyDictionary<string, Tensor> checkpoint)
    {
        var ours = model.Where(kv => IsClassifierKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var theirs = checkpoint.Where(kv => IsClassifierKey(kv.Key)).ToList();
        return ours.Count == theirs.Count && theirs.All(kv => ours.TryGetValue(kv.Key, out var t) && t.shape.SequenceEqual(kv.Value.shape));
    }

    /// <summary>Whether a [1, T, D] position embedding is timm's <c>no_embed_class</c> form for this model (see <see cref="CheckpointLoadOptions.PositionEmbeddingHasPrefixTokens"/>).</summary>
    private static bool LacksPrefixRows(Tensor source, Tensor target, VitGeometry geometry, CheckpointLoadOptions options)
    {
        long prefix = geometry.PositionEmbeddingTokens - geometry.NumPatches; // 0 where the model's embedding has no prefix slots either
        if (prefix == 0 || options.PositionEmbeddingHasPrefixTokens == true) return false;
        if (source.dim() != 3 || source.shape[0] != 1 || source.shape[2] != target.shape[2]) return false;
        long tokens = source.shape[1];
        if (options.PositionEmbeddingHasPrefixTokens == false) return true;
        if (tokens == target.shape[1]) return false; // already the model's layout
        if (tokens == geometry.NumPatches) return true;
        // Another grid: no_embed_class only if the tokens form a square grid as they are and not after removing the prefix
        // rows, and only when resampling is on (else the shape error shows the file's own shape).
        return options.ResamplePositionEmbedding && PositionEmbedding.SquareGrid(tokens) is not null && PositionEmbedding.SquareGrid(tokens - prefix) is null;
    }

    /// <summary>
    /// Saves the model's state_dict (timm naming for generated models) atomically as safetensors, with <paramref name="metadata"/>
    /// in <c>__metadata__</c> (see <see cref="CheckpointMetadata.ToDictionary"/>). The metadata gets <c>format = pt</c> unless
    /// it names a format, as Hugging Face's loaders expect.
    /// </summary>
    public static void SaveSafetensors(this nn.Module model, string path, CheckpointMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var withFormat = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
        if (metadata is not null)
            foreach (var (key, value) in metadata.ToDictionary()) withFormat[key] = value;
        Safetensors.Write(path, model.state_dict(), withFormat);
    }
}
