using ShapedVit.Data;

namespace ShapedVit.Training;

/// <summary>Hyper-parameters of a run. Saved with the training state, so a resumed run continues with the same ones.</summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs to train.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Images per optimizer step.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Images per batch when evaluating (no gradients, so it can be larger).</summary>
    public int EvaluationBatchSize { get; init; } = 500;
    /// <summary>Peak learning rate, reached at the end of warmup.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>The learning rate the cosine decay ends at, on the last step.</summary>
    public double MinLearningRate { get; init; } = 1e-5;
    /// <summary>AdamW's decoupled weight decay, for the parameters that get it (not norms, biases or tokens).</summary>
    public double WeightDecay { get; init; } = 0.05;
    /// <summary>Epochs of linear warmup from 0 to <see cref="LearningRate"/>; may be fractional.</summary>
    public double WarmupEpochs { get; init; } = 1;
    /// <summary>Label smoothing of the training cross-entropy, in [0, 1).</summary>
    public double LabelSmoothing { get; init; } = 0.1;
    /// <summary>Global L2 norm the gradients are clipped to; 0 turns clipping off.</summary>
    public double GradientClipNorm { get; init; } = 1.0;
    /// <summary>Seeds each epoch's shuffling, augmentation, Mixup, dropout and stochastic depth.</summary>
    public long Seed { get; init; }
    /// <summary>
    /// The last N epochs train on every patch token: the model's <see cref="Layers.PatchDropout"/> layers are off, so a model
    /// that learned from partial views adapts to the whole images it is evaluated on (FLIP's unmasked tuning). 0: patch
    /// dropout, where the model has it, in every epoch.
    /// </summary>
    public int FullTokenEpochs { get; init; }
    /// <summary>A linear probe: every parameter but the classifier's (<see cref="Classifier"/>) is frozen before the optimizer is made.</summary>
    public bool LinearProbe { get; init; }
    /// <summary>The classifier's name prefix (timm's <c>pretrained_cfg["classifier"]</c>): what a linear probe trains.</summary>
    public string Classifier { get; init; } = "head";
    /// <summary>timm's <c>layer_decay</c> (for example 0.75): each layer's learning rate is scaled by decay^(layers above it), grouped as timm's <c>param_groups_layer_decay</c> groups them (see <see cref="ParameterGroups.Create"/>); null: off.</summary>
    public double? LayerDecay { get; init; }
    /// <summary>Micro-batches per optimizer step: each batch of <see cref="BatchSize"/> goes through the model in this many parts, whose gradients add up to the whole batch's (less memory, the same step).</summary>
    public int GradientAccumulation { get; init; } = 1;
    /// <summary>Decay of an EMA of the weights (timm's <c>model_ema_decay</c>, for example 0.9998); 0: no EMA.</summary>
    public double EmaDecay { get; init; }
    /// <summary>Mixup/CutMix of training batches, with soft targets label-smoothed by <see cref="LabelSmoothing"/>; null: off.</summary>
    public MixupOptions? Mixup { get; init; }
    /// <summary>
    /// The arithmetic of the training forward and backward passes (timm's <c>--amp --amp-dtype bfloat16</c>): the
    /// model's parameters, the optimizer, the EMA, checkpoints and evaluation stay float32 either way.
    /// </summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Float32;
    /// <summary>What a batch whose loss or gradients are not finite (NaN or Inf) does; either way it never updates the weights.</summary>
    public NonFiniteBatchPolicy NonFiniteBatches { get; init; } = NonFiniteBatchPolicy.Stop;

    /// <summary>Checks the numbers and returns what is wrong, one line each.</summary>
    public IEnumerable<string> Problems()
    {
        if (Epochs < 1) yield return $"epochs must be at least 1 (got {Epochs}).";
        if (BatchSize < 1) yield return $"batch size must be at least 1 (got {BatchSize}).";
        if (EvaluationBatchSize < 1) yield return $"evaluation batch size must be at least 1 (got {EvaluationBatchSize}).";
        if (!(LearningRate > 0)) yield return $"learning rate must be positive (got {LearningRate}).";
        if (MinLearningRate < 0 || MinLearningRate > LearningRate) yield return $"minimum learning rate must be between 0 and the learning rate (got {MinLearningRate}).";
        if (WeightDecay < 0) yield return $"weight decay must not be negative (got {WeightDecay}).";
        if (WarmupEpochs < 0) yield return $"warmup epochs must not be negative (got {WarmupEpochs}).";
        if (LabelSmoothing < 0 || LabelSmoothing >= 1) yield return $"label smoothing must be in [0, 1) (got {LabelSmoothing}).";
        if (GradientClipNorm < 0) yield return $"gradient clip norm must not be negative (got {GradientClipNorm}).";
        if (FullTokenEpochs < 0 || FullTokenEpochs > Epochs) yield return $"full-token epochs must be between 0 and the {Epochs} epochs (got {FullTokenEpochs}).";
        if (LayerDecay is double d && !(d > 0 && d <= 1)) yield return $"layer decay must be in (0, 1] (got {d}).";
        if (GradientAccumulation < 1 || GradientAccumulation > BatchSize) yield return $"gradient accumulation must be between 1 and the batch size {BatchSize} (got {GradientAccumulation}).";
        if (!(EmaDecay >= 0 && EmaDecay < 1)) yield return $"EMA decay must be in [0, 1) (got {EmaDecay}).";
        if (string.IsNullOrEmpty(Classifier)) yield return "the classifier name must not be empty.";
        if (Mixup is not null) foreach (var problem in Mixup.Problems()) yield return problem;
    }
}

/// <summary>What a training batch whose loss or gradients are not finite does (<see cref="TrainerOptions.NonFiniteBatches"/>).</summary>
public enum NonFiniteBatchPolicy
{
    /// <summary>The run stops with a one-line <see cref="TrainingStoppedException"/> before the update: the weights stay those of the step before.</summary>
    Stop = 0,
    /// <summary>The batch is skipped: no update, and it counts neither as a step nor towards the epoch's loss and accuracy.</summary>
    Skip = 1,
}

/// <summary>
/// A run that cannot go on: a batch's loss or gradients were not finite (with <see cref="NonFiniteBatchPolicy.Stop"/>), or
/// an epoch had no usable image. Nothing non-finite reached the weights; the message is one line.
/// </summary>
public sealed class TrainingStoppedException : InvalidOperationException
{
    /// <summary>The run stopped for the reason <paramref name="message"/> gives.</summary>
    public TrainingStoppedException(string message) : base(message) { }
}

/// <summary>The arithmetic of a training step (<see cref="TrainerOptions.Precision"/>).</summary>
public enum TrainingPrecision
{
    /// <summary>Forward and backward in float32.</summary>
    Float32 = 0,
    /// <summary>
    /// Forward and backward in a bfloat16 copy of the model (LayerNorms float32), gradients added into the float32 master
    /// weights, which the optimizer updates: autocast's recipe, by hand. It pays for ViT-S-sized models and up on a CPU
    /// with bfloat16 matrix instructions (AMX); for a model as small as the FashionMnist sample's (width 128) the GEMMs are
    /// too small to pay for the casts, and on CPUs without bfloat16 instructions it can be slower too. The measured
    /// ratios are in docs/benchmarks.md (Run H).
    /// </summary>
    BFloat16 = 1,
}

/// <summary>One finished epoch: training loss and accuracy (on augmented images, while learning), test loss and accuracy.</summary>
/// <param name="Epoch">The epoch, counting from 1.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's images.</param>
/// <param name="TrainAccuracy">Training accuracy over the epoch's images.</param>
/// <param name="TestLoss">Test-set loss; NaN without a test set.</param>
/// <param name="TestAccuracy">Test-set accuracy; NaN without a test set.</param>
/// <param name="LearningRate">The learning rate of the epoch's last step.</param>
/// <param name="Seconds">Training time of the epoch (evaluation excluded).</param>
/// <param name="ImagesPerSecond">Training throughput.</param>
public sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy,
                                 double LearningRate, double Seconds, double ImagesPerSecond);

/// <summary>Where a run stands: what a resumed run needs besides the weights and the optimizer moments.</summary>
public sealed record TrainingState
{
    /// <summary>Epochs done.</summary>
    public int CompletedEpochs { get; init; }
    /// <summary>Optimizer steps done (the schedule's position).</summary>
    public long Step { get; init; }
    /// <summary>Size of the training set the run uses: a resumed run must see the same data.</summary>
    public int TrainImages { get; init; }
    /// <summary>The training set's transform (<see cref="ShapedVit.Data.IImageDataset.Transform"/>), typed: a resumed run must use an equal one. Null in state files that predate it.</summary>
    public ImageTransform? TrainTransform { get; init; }
    /// <summary>The run's hyper-parameters.</summary>
    public TrainerOptions Options { get; init; } = new();
    /// <summary>One record per completed epoch, in order.</summary>
    public List<EpochRecord> History { get; init; } = [];
}

/// <summary>A progress report after each training batch.</summary>
/// <param name="Epoch">The epoch, counting from 1.</param>
/// <param name="Epochs">The run's total epochs.</param>
/// <param name="Batch">The batch just done, counting from 1.</param>
/// <param name="Batches">Batches in the epoch.</param>
/// <param name="Loss">Mean training loss of the epoch so far.</param>
/// <param name="Accuracy">Training accuracy of the epoch so far.</param>
/// <param name="ImagesPerSecond">Training throughput of the epoch so far.</param>
/// <param name="LearningRate">The learning rate of this batch's step.</param>
public sealed record BatchReport(int Epoch, int Epochs, int Batch, int Batches, double Loss, double Accuracy, double ImagesPerSecond, double LearningRate);

/// <summary>Receives progress while training; the sample shows it with Spectre.Console or as plain lines.</summary>
public interface ITrainingProgress
{
    /// <summary>An epoch begins.</summary>
    /// <param name="epoch">The epoch, counting from 1.</param>
    /// <param name="epochs">The run's total epochs.</param>
    /// <param name="batches">Batches in this epoch.</param>
    void EpochStarted(int epoch, int epochs, int batches);
    /// <summary>A training batch is done; <paramref name="report"/> has the epoch's running loss and accuracy.</summary>
    void BatchDone(BatchReport report);
    /// <summary>An epoch is done, with its training and test results.</summary>
    void EpochDone(EpochRecord record);
}

/// <summary>Loss, accuracy and confusion matrix of a model on a labelled set.</summary>
public sealed class Evaluation
{
    /// <summary>An evaluation from its mean loss and confusion matrix; <see cref="Count"/> and <see cref="Accuracy"/> are read from the matrix.</summary>
    /// <param name="loss">Mean cross-entropy per image.</param>
    /// <param name="confusion">Counts of [true class, predicted class], one class per name in <paramref name="classNames"/>.</param>
    /// <param name="classNames">Class names by index.</param>
    public Evaluation(double loss, ConfusionMatrix confusion, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        ArgumentNullException.ThrowIfNull(classNames);
        if (confusion.Classes != classNames.Count)
            throw new ArgumentException($"The confusion matrix has {confusion.Classes} classes, but {classNames.Count} class names were given.", nameof(classNames));
        Loss = loss; Confusion = confusion; ClassNames = classNames;
    }

    /// <summary>Mean cross-entropy per image (no label smoothing); NaN for an empty set.</summary>
    public double Loss { get; }
    /// <summary>Fraction of images whose predicted class is the true one (0 for an empty set).</summary>
    public double Accuracy => Confusion.Total == 0 ? 0 : (double)Confusion.Correct / Confusion.Total;
    /// <summary>Images evaluated.</summary>
    public long Count => Confusion.Total;
    /// <summary>[true class, predicted class] counts, stored by their non-zero cells (memory grows with the images evaluated, not with classes squared).</summary>
    public ConfusionMatrix Confusion { get; }
    /// <summary>Class names by index.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Fraction of each true class predicted correctly (recall); NaN for a class with no images.</summary>
    public double ClassAccuracy(int label) => Confusion.ClassAccuracy(label);
}
