using System.Globalization;
using System.Text.Json;
using ShapedVit.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Training;

/// <summary>
/// The trainer's state file, the one place that knows its format: everything a resumed run needs, in one safetensors
/// file. Tensors: the model's weights under <see cref="ModelPrefix"/>, the optimizer's state under
/// <see cref="OptimizerPrefix"/>, the EMA's weights under <see cref="EmaPrefix"/> (when the run keeps one). Metadata:
/// <see cref="CheckpointMetadataKeys.TrainingState"/> (the <see cref="TrainingState"/> as JSON, which also marks the file as a
/// state file), <see cref="FormatKey"/> (the format version), the architecture key, <see cref="StepKey"/> and
/// <see cref="EpochKey"/>. Core's <c>LoadSafetensors</c> recognises such a file by its marker and refuses it as model
/// weights in one line; <see cref="LoadWeights"/> loads its model section.
/// </summary>
public sealed class TrainingCheckpoint : IDisposable
{
    /// <summary>Metadata key of the format version (an integer; files without it are version 1, the layout it describes).</summary>
    public const string FormatKey = "shapedvit.training_format";
    /// <summary>The format version this library writes and the newest it reads.</summary>
    public const int Format = 1;
    /// <summary>Prefix of the model's tensors.</summary>
    public const string ModelPrefix = "model/";
    /// <summary>Prefix of the optimizer's tensors.</summary>
    public const string OptimizerPrefix = "optimizer/";
    /// <summary>Prefix of the EMA's tensors (when the run keeps an EMA).</summary>
    public const string EmaPrefix = "ema/";
    /// <summary>Metadata key of the number of optimisation steps done when the file was saved (also in the model file the trainer writes beside it).</summary>
    public const string StepKey = "shapedvit.step";
    /// <summary>Metadata key of the number of epochs done when the file was saved (also in the model file the trainer writes beside it).</summary>
    public const string EpochKey = "shapedvit.epoch";

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly SafetensorsFile file;

    private TrainingCheckpoint(string path, SafetensorsFile file, TrainingState state)
    {
        Path = path; this.file = file; State = state;
        Model = Section(file.Tensors, ModelPrefix);
        Optimizer = Section(file.Tensors, OptimizerPrefix);
        Ema = Section(file.Tensors, EmaPrefix);
    }

    /// <summary>The file read.</summary>
    public string Path { get; }
    /// <summary>Where the saved run stood: options, epochs, step, history.</summary>
    public TrainingState State { get; }
    /// <summary>The file's <c>__metadata__</c> as stored.</summary>
    public IReadOnlyDictionary<string, string> Metadata => file.Metadata;
    /// <summary>The model's weights (the prefix removed); owned by this object.</summary>
    public IReadOnlyDictionary<string, Tensor> Model { get; }
    /// <summary>The optimizer's state tensors (the prefix removed); owned by this object.</summary>
    public IReadOnlyDictionary<string, Tensor> Optimizer { get; }
    /// <summary>The EMA's weights (the prefix removed; empty when the run kept none); owned by this object.</summary>
    public IReadOnlyDictionary<string, Tensor> Ema { get; }

    /// <summary>Reads a whole state file; a file that is not one, or of a newer format, is a <see cref="CheckpointException"/> naming it.</summary>
    public static TrainingCheckpoint Read(string path)
    {
        var file = Safetensors.ReadAll(path);
        try
        {
            return new TrainingCheckpoint(path, file, ParseState(file.Metadata, path));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The training state of a state file (to build a trainer with the saved options before resuming); reads the header only.</summary>
    public static TrainingState ReadState(string path) => ParseState(Safetensors.ReadHeader(path).Metadata, path);

    /// <summary>
    /// Writes a state file atomically (temporary file, flush, rename). Every floating-point tensor must be finite: a NaN or
    /// Inf is refused (<see cref="CheckpointRule.InvalidTensor"/>, naming the tensor) and nothing is written, so a run that
    /// diverged never replaces the last good state.
    /// </summary>
    /// <param name="path">The state file.</param>
    /// <param name="architecture">The architecture key (see <see cref="ModelArchitecture.Describe"/>).</param>
    /// <param name="state">Where the run stands.</param>
    /// <param name="model">The model's named tensors (its <c>state_dict()</c>).</param>
    /// <param name="optimizer">The optimizer's named state tensors.</param>
    /// <param name="ema">The EMA's named tensors; empty without an EMA.</param>
    public static void Write(string path, string architecture, TrainingState state, IEnumerable<KeyValuePair<string, Tensor>> model,
                             IEnumerable<(string Name, Tensor Tensor)> optimizer, IEnumerable<(string Name, Tensor Tensor)> ema)
    {
        ArgumentNullException.ThrowIfNull(state);
        var tensors = model.Select(kv => KeyValuePair.Create(ModelPrefix + kv.Key, kv.Value))
            .Concat(optimizer.Select(t => KeyValuePair.Create(OptimizerPrefix + t.Name, t.Tensor)))
            .Concat(ema.Select(t => KeyValuePair.Create(EmaPrefix + t.Name, t.Tensor)))
            .ToList();
        RequireFinite(tensors, path);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CheckpointMetadataKeys.Architecture] = architecture,
            [FormatKey] = Format.ToString(CultureInfo.InvariantCulture),
            [StepKey] = state.Step.ToString(CultureInfo.InvariantCulture),
            [EpochKey] = state.CompletedEpochs.ToString(CultureInfo.InvariantCulture),
            [CheckpointMetadataKeys.TrainingState] = JsonSerializer.Serialize(state, Json),
        };
        Safetensors.Write(path, tensors, metadata);
    }

    /// <summary>Refuses (before anything is written) tensors with a NaN or an infinity, naming the first such tensor.</summary>
    internal static void RequireFinite(IEnumerable<KeyValuePair<string, Tensor>> tensors, string path)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (name, tensor) in tensors)
        {
            if (!tensor.is_floating_point()) continue;
            if (!torch.isfinite(tensor).all().item<bool>())
                throw new CheckpointException(CheckpointRule.InvalidTensor, name,
                    "holds NaN or Inf: a diverged run is not saved, and the previous file is left as it was.", path);
        }
    }

    /// <summary>
    /// Loads the model section of a state file into <paramref name="model"/> with <c>LoadTensors</c>' strict rules (for
    /// example to evaluate a run's latest weights); the optimizer's and the EMA's tensors are not used.
    /// </summary>
    public static CheckpointLoadResult LoadWeights(nn.Module model, string path, CheckpointLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var checkpoint = Read(path);
        if (checkpoint.Model.Count == 0)
            throw new CheckpointException(CheckpointRule.KeyMismatch, null, $"the state file has no '{ModelPrefix}' section of model weights.", path);
        return model.LoadTensors(checkpoint.Model, path, checkpoint.Metadata, options);
    }

    private static Dictionary<string, Tensor> Section(IReadOnlyDictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    private static TrainingState ParseState(IReadOnlyDictionary<string, string> metadata, string path)
    {
        if (!metadata.TryGetValue(CheckpointMetadataKeys.TrainingState, out var json))
            throw new CheckpointException(CheckpointRule.TrainingStateMismatch, null, "the file holds no training state: it is not a trainer's state file.", path);
        if (metadata.TryGetValue(FormatKey, out var formatText))
        {
            if (!int.TryParse(formatText, NumberStyles.None, CultureInfo.InvariantCulture, out int format) || format < 1)
                throw new CheckpointException(CheckpointRule.MetadataMalformed, null, $"metadata '{FormatKey}' must be a positive integer.", path);
            if (format > Format)
                throw new CheckpointException(CheckpointRule.TrainingStateMismatch, null,
                    $"the state file has format {format}, written by a newer ShapedVit; this one reads format {Format} and older.", path);
        }
        try
        {
            return JsonSerializer.Deserialize<TrainingState>(json, Json)
                   ?? throw new CheckpointException(CheckpointRule.MetadataMalformed, null, "the training state is empty.", path);
        }
        catch (JsonException e)
        {
            throw new CheckpointException(CheckpointRule.MetadataMalformed, null, $"the training state is unreadable ({e.Message}).", path, e);
        }
    }

    /// <summary>Frees the file's tensors.</summary>
    public void Dispose() => file.Dispose();
}
