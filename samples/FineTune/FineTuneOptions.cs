namespace ShapedVit.Samples.FineTune;

/// <summary>Everything the command line can set.</summary>
public sealed record FineTuneOptions
{
    /// <summary>The image folder to fine-tune on: one subfolder of images per class.</summary>
    public string DataDirectory { get; init; } = "";
    /// <summary>The pre-trained checkpoint (safetensors); with <see cref="FromScratch"/> only its architecture is used.</summary>
    public string? Checkpoint { get; init; }
    /// <summary>The pre-trained model's name, for a checkpoint without ShapedVit metadata (timm's, torchvision's); without a
    /// checkpoint, the pretrained model to download from the Hugging Face Hub (timm's arch.tag or hf-hub:org/repo).</summary>
    public string? Model { get; init; }
    /// <summary>Use the Hub cache only and send no request (<c>--offline</c>, as HF_HUB_OFFLINE=1).</summary>
    public bool Offline { get; init; }
    /// <summary>Start from <see cref="Model"/>'s pretrained weights on the Hub: <c>--model</c> without <c>--checkpoint</c>
    /// (with <see cref="FromScratch"/>, only its architecture is used and nothing is downloaded).</summary>
    public bool Pretrained => Checkpoint is null && Model is not null && !FromScratch;
    /// <summary>Where model.safetensors, trainer-state.safetensors and training.png go.</summary>
    public string OutputDirectory { get; init; } = Path.Combine("runs", "finetune");
    /// <summary>A separate folder (same classes) to report the final accuracy on; null: the validation split.</summary>
    public string? TestDirectory { get; init; }
    public int Epochs { get; init; } = 20;
    /// <summary>Whether --epochs was given (not the default): with --resume, only a given, larger count trains on.</summary>
    public bool EpochsGiven { get; init; }
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 1e-3;
    public double WeightDecay { get; init; } = 0.05;
    public double WarmupEpochs { get; init; } = 1;
    public double LabelSmoothing { get; init; } = 0.1;
    /// <summary>timm's layer_decay: each block's rate is the base rate times decay^(distance from the head); null: off.</summary>
    public double? LayerDecay { get; init; }
    /// <summary>Train the head only (everything else frozen).</summary>
    public bool LinearProbe { get; init; }
    /// <summary>The same architecture from random weights, with the same budget: the baseline fine-tuning is measured against.</summary>
    public bool FromScratch { get; init; }
    /// <summary>Train in bfloat16 with float32 master weights (<see cref="ShapedVit.Training.TrainingPrecision.BFloat16"/>).</summary>
    public bool BFloat16 { get; init; }
    /// <summary>Share of each class held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>The training augmentation; <see cref="RecipeName.Auto"/> derives it from the images (size, grey or colour).</summary>
    public RecipeName Recipe { get; init; } = RecipeName.Auto;
    /// <summary>RandomResizedCrop's smallest area share; null: the recipe's.</summary>
    public double? MinScale { get; init; }
    /// <summary>Black pixels added on each side before a random crop of the model's size (a shift of up to that many pixels); null: the recipe's.</summary>
    public int? CropPadding { get; init; }
    /// <summary>Turn TrivialAugment off whatever the recipe says.</summary>
    public bool NoTrivialAugment { get; init; }
    /// <summary>Turn the horizontal flip off whatever the recipe says (digits, letters, text, anything with a handedness).</summary>
    public bool NoFlip { get; init; }
    public bool SkipBadImages { get; init; }
    public long Seed { get; init; } = 42;
    public bool Resume { get; init; }
    public int Threads { get; init; }
    public string Device { get; init; } = "cpu";
    public bool Plain { get; init; }

    public IEnumerable<string> Problems()
    {
        if (Checkpoint is null && Model is null) yield return "give the pre-trained --checkpoint, or --model NAME to download a pretrained model (with --from-scratch, its architecture only).";
        if (Epochs < 1) yield return $"--epochs must be at least 1 (got {Epochs}).";
        if (BatchSize < 1) yield return $"--batch-size must be at least 1 (got {BatchSize}).";
        if (!(LearningRate > 0)) yield return $"--lr must be positive (got {LearningRate}).";
        if (WeightDecay < 0) yield return $"--weight-decay must not be negative (got {WeightDecay}).";
        if (WarmupEpochs < 0) yield return $"--warmup must not be negative (got {WarmupEpochs}).";
        if (LabelSmoothing < 0 || LabelSmoothing >= 1) yield return $"--label-smoothing must be in [0, 1) (got {LabelSmoothing}).";
        if (LayerDecay is double d && !(d > 0 && d <= 1)) yield return $"--layer-decay must be in (0, 1] (got {d}).";
        if (LinearProbe && FromScratch) yield return "--linear-probe and --from-scratch cannot be used together (a probe of random features).";
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) yield return $"--val-fraction must be in [0, 1) (got {ValidationFraction}).";
        if (MinScale is double scale && !(scale > 0 && scale <= 1)) yield return $"--min-scale must be in (0, 1] (got {scale}).";
        if (CropPadding is int padding && padding < 0) yield return $"--crop-padding must not be negative (got {padding}).";
        if (Threads < 0) yield return $"--threads must not be negative (got {Threads}).";
        if (Shared.SampleCommandLine.DeviceProblem(Device) is { } device) yield return device;
    }
}
