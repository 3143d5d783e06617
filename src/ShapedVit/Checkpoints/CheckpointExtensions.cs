using ShapedVit.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit;

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
}

/// <summary>What a successful load did.</summary>
public sealed class CheckpointLoadResult
{
    internal CheckpointLoadResult(CheckpointNaming naming, IReadOnlyDictionary<string, string> metadata, (long Height, long Width)? resampledFrom,
                                  bool prefixRowsAdded)
    {
        Naming = naming; Metadata = metadata; PositionEmbeddingResampledFrom = resampledFrom; PositionEmbeddingPrefixRowsAdded = prefixRowsAdded;
    }

    /// <summary>The naming the keys were read in.</summary>
    public CheckpointNaming Naming { get; }
    /// <summary>The file's <c>__metadata__</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>The checkpoint's patch grid when its position embedding was resampled, else null.</summary>
    public (long Height, long Width)? PositionEmbeddingResampledFrom { get; }
    /// <summary>True when the checkpoint's position embedding had no rows for the prefix tokens (<c>no_embed_class</c>) and zero rows were added.</summary>
    public bool PositionEmbeddingPrefixRowsAdded { get; }
}

/// <summary>Loading and saving a module's weights as safetensors.</summary>
public static class CheckpointExtensions
{
    private const string PositionEmbeddingKey = "pos_embed";

    /// <summary>
    /// Loads a safetensors checkpoint in timm, torchvision or Hugging Face naming into <paramref name="model"/> strictly: every
    /// missing, unexpected, wrong-shaped or unconvertible tensor is listed in one <see cref="CheckpointException"/>, and the
    /// model is changed only when everything fits. Floating-point tensors are converted to each parameter's dtype and device.
    /// </summary>
    public static CheckpointLoadResult LoadSafetensors(this nn.Module model, string path, CheckpointLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        options ??= new CheckpointLoadOptions();
        // The model's own tensors are fetched outside the scope below: they must not be disposed with the checkpoint's.
        var targets = model.state_dict();

        using var scope = NewDisposeScope();
        using var file = Safetensors.ReadAll(path);
        var renamed = CheckpointKeys.ToTimm(file.Tensors, options.Naming, path);
        var tensors = renamed.Tensors;
        (long, long)? resampledFrom = null;
        string? positionProblem = null;
        bool prefixRowsAdded = false;

        if (model is IVisionTransformer vit &&
            tensors.TryGetValue(PositionEmbeddingKey, out var source) && targets.TryGetValue(PositionEmbeddingKey, out var target))
        {
            var geometry = vit.Geometry;
            if (LacksPrefixRows(source, target, geometry, options))
            {
                var zeros = torch.zeros(new[] { 1L, geometry.PrefixTokens, source.shape[2] }, source.dtype, source.device);
                source = tensors[PositionEmbeddingKey] = torch.cat(new[] { zeros, source }, 1);
                prefixRowsAdded = true;
            }
            if (options.ResamplePositionEmbedding && !source.shape.SequenceEqual(target.shape))
            {
                long gridTokens = source.dim() == 3 ? source.shape[1] - geometry.PrefixTokens : 0;
                var grid = PositionEmbedding.SquareGrid(gridTokens);
                if (source.dim() != 3 || source.shape[0] != 1 || source.shape[2] != target.shape[2])
                    positionProblem = "it cannot be resampled: only the token count may differ";
                else if (grid is null)
                    positionProblem = $"it cannot be resampled: {gridTokens} tokens after {geometry.PrefixTokens} prefix token(s) are no square grid";
                else
                {
                    tensors[PositionEmbeddingKey] = PositionEmbedding.Resample(source, geometry.GridHeight, geometry.GridWidth, geometry.PrefixTokens);
                    resampledFrom = grid;
                }
            }
        }

        var missing = new List<string>();
        var unexpected = new List<string>();
        var wrongShape = new List<string>();
        var wrongDtype = new List<string>();
        string Named(string key) => renamed.SourceKeys.TryGetValue(key, out var from) && from != key ? $"{key} (checkpoint: {from})" : key;
        foreach (var (key, parameter) in targets)
        {
            if (!tensors.TryGetValue(key, out var tensor))
            {
                missing.Add($"{key} {VitGeometry.FormatShape(parameter.shape)}");
                continue;
            }
            if (!tensor.shape.SequenceEqual(parameter.shape))
            {
                string why = key == PositionEmbeddingKey
                    ? positionProblem ?? (options.ResamplePositionEmbedding ? "" : "; resampling is turned off")
                    : "";
                if (why.Length > 0 && !why.StartsWith(';')) why = "; " + why;
                wrongShape.Add($"{Named(key)}: checkpoint {VitGeometry.FormatShape(tensor.shape)}, model {VitGeometry.FormatShape(parameter.shape)}{why}");
            }
            else if (tensor.dtype != parameter.dtype && !(SafetensorsDtypes.IsFloating(tensor.dtype) && SafetensorsDtypes.IsFloating(parameter.dtype)))
                wrongDtype.Add($"{Named(key)}: checkpoint {tensor.dtype}, model {parameter.dtype}");
        }
        foreach (var (key, tensor) in tensors)
            if (!targets.ContainsKey(key))
                unexpected.Add($"{Named(key)} {VitGeometry.FormatShape(tensor.shape)}");
        if (missing.Count + unexpected.Count + wrongShape.Count + wrongDtype.Count > 0)
            throw new CheckpointException(path, missing, unexpected, wrongShape, wrongDtype);

        // Every conversion happens before the first copy, so a failure here still leaves the model untouched.
        var converted = targets.ToDictionary(p => p.Key, p => tensors[p.Key].to(p.Value.dtype, p.Value.device));
        using (torch.no_grad())
        {
            foreach (var (key, parameter) in targets)
                parameter.copy_(converted[key]);
        }
        return new CheckpointLoadResult(renamed.Naming, file.Metadata, resampledFrom, prefixRowsAdded);
    }

    /// <summary>Whether a [1, T, D] position embedding is timm's <c>no_embed_class</c> form for this model (see <see cref="CheckpointLoadOptions.PositionEmbeddingHasPrefixTokens"/>).</summary>
    private static bool LacksPrefixRows(Tensor source, Tensor target, VitGeometry geometry, CheckpointLoadOptions options)
    {
        long prefix = geometry.PrefixTokens;
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
    /// Saves the model's state_dict (timm naming for generated models) atomically as safetensors. The metadata gets
    /// <c>format = pt</c> unless it names a format, as Hugging Face's loaders expect.
    /// </summary>
    public static void SaveSafetensors(this nn.Module model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var withFormat = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
        if (metadata is not null)
            foreach (var (key, value) in metadata) withFormat[key] = value;
        Safetensors.Write(path, model.state_dict(), withFormat);
    }
}
