using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.Testing;
using ShapedVit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Training.Tests;

[Collection(TrainingCollection.Name)]
public class TrainerTests
{
    internal static LabeledImages RandomImages(int count, int seed)
    {
        var rng = new Random(seed);
        var pixels = new byte[count * 64];
        rng.NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(_ => rng.Next(10)).ToArray();
        return new LabeledImages(pixels, labels, 1, 8, 8, TenClasses.Names, new ImageTransform([new RandomCrop(8, 8, Padding: 1), new RandomHorizontalFlip()], [0.5f], [0.5f]));
    }

    private static TrainerOptions Options(int epochs) => new()
    {
        Epochs = epochs, BatchSize = 16, LearningRate = 3e-3, WarmupEpochs = 0.5, Seed = 11,
    };

    private static string Architecture => ModelArchitecture.Describe(nameof(TinyVit), TinyVit.Spec);

    private static Dictionary<string, float[]> Weights(nn.Module model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().data<float>().ToArray());

    [Fact]
    public void Training_steps_lower_the_loss_on_a_fixed_batch()
    {
        var data = RandomImages(16, 1).WithoutAugmentation();
        using var model = new TinyVit(seed: 5);
        using var trainer = new Trainer(model, data, null, Options(1) with { LabelSmoothing = 0 }, torch.CPU, Architecture);
        var (images, labels) = data.MakeBatch(Enumerable.Range(0, 16).ToArray());
        double first = trainer.TrainStep(images, labels, 3e-3).Loss;
        double last = first;
        for (int i = 0; i < 30; i++) last = trainer.TrainStep(images, labels, 3e-3).Loss;
        Assert.True(last < first * 0.7, $"loss went from {first} to {last}");
    }

    [Fact]
    public void Two_epochs_equal_one_epoch_saved_and_resumed_for_one_more()
    {
        var data = RandomImages(48, 2);
        using var dir = new TempDirectory();

        using var straightModel = new TinyVit(seed: 5);
        using (var straight = new Trainer(straightModel, data, null, Options(2), torch.CPU, Architecture))
        {
            straight.RunEpoch();
            straight.RunEpoch();
        }

        using (var firstModel = new TinyVit(seed: 5))
        using (var first = new Trainer(firstModel, data, null, Options(2), torch.CPU, Architecture))
        {
            first.RunEpoch();
            first.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        }

        torch.manual_seed(999); // whatever the global generator holds now must not matter
        using var resumedModel = new TinyVit(seed: 77); // different initial weights: all must come from the checkpoint
        using var resumed = new Trainer(resumedModel, data, null, TrainingCheckpoint.ReadState(dir.File("s.safetensors")).Options, torch.CPU, Architecture);
        resumed.LoadCheckpoint(dir.File("s.safetensors"));
        Assert.Equal((1, 3L), (resumed.State.CompletedEpochs, resumed.State.Step));
        resumed.RunEpoch();
        Assert.True(resumed.Finished);

        var expected = Weights(straightModel);
        var actual = Weights(resumedModel);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected)
        {
            float maxDifference = values.Zip(actual[name], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(maxDifference <= 1e-6f, $"{name} differs by {maxDifference}");
        }
        Assert.Equal(2, resumed.State.History.Count);
    }

    [Fact]
    public void A_checkpoint_of_another_architecture_is_refused()
    {
        var data = RandomImages(16, 3);
        using var dir = new TempDirectory();
        using (var model = new TinyVit(0))
        using (var trainer = new Trainer(model, data, null, Options(1), torch.CPU, "Other(embed 32)"))
            trainer.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        using var mine = new TinyVit(0);
        using var resumed = new Trainer(mine, data, null, Options(1), torch.CPU, Architecture);
        var e = Assert.Throws<CheckpointException>(() => resumed.LoadCheckpoint(dir.File("s.safetensors")));
        Assert.Contains("'Other(embed 32)', not 'TinyVit(", e.Message);
        Assert.Equal(CheckpointRule.ArchitectureMismatch, e.Rule);
    }

    [Fact]
    public void A_save_interrupted_between_the_two_files_still_resumes_from_the_complete_state_file()
    {
        var data = RandomImages(16, 4);
        using var dir = new TempDirectory();
        using var model = new TinyVit(0);
        using var trainer = new Trainer(model, data, null, Options(2), torch.CPU, Architecture);
        trainer.RunEpoch();
        trainer.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        File.Copy(dir.File("m.safetensors"), dir.File("old-model.safetensors"));
        trainer.RunEpoch();
        trainer.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        File.Copy(dir.File("old-model.safetensors"), dir.File("m.safetensors"), overwrite: true); // as if the model write never happened
        using var other = new TinyVit(0);
        using var resumed = new Trainer(other, data, null, Options(2), torch.CPU, Architecture);
        resumed.LoadCheckpoint(dir.File("s.safetensors"));
        Assert.Equal(2, resumed.State.CompletedEpochs);
        var expected = model.state_dict();
        foreach (var (name, tensor) in other.state_dict())
            Assert.True(tensor.allclose(expected[name], 0, 0), name); // the weights after epoch 2, from the state file
    }

    [Fact]
    public void A_state_file_of_other_data_or_another_file_is_refused_and_nothing_changes()
    {
        using var dir = new TempDirectory();
        using (var model = new TinyVit(0))
        using (var trainer = new Trainer(model, RandomImages(16, 3), null, Options(1), torch.CPU, Architecture))
            trainer.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        using var mine = new TinyVit(1);
        var before = Weights(mine);
        using var resumed = new Trainer(mine, RandomImages(32, 3), null, Options(1), torch.CPU, Architecture);
        var e = Assert.Throws<CheckpointException>(() => resumed.LoadCheckpoint(dir.File("s.safetensors")));
        Assert.Equal(CheckpointRule.TrainingStateMismatch, e.Rule);
        Assert.Contains("trained on 16 images, this one has 32", e.Message);
        // The model file is no state file: it says so in one line.
        var notState = Assert.Throws<CheckpointException>(() => resumed.LoadCheckpoint(dir.File("m.safetensors")));
        Assert.Equal(CheckpointRule.TrainingStateMismatch, notState.Rule);
        Assert.Contains("not a trainer's state file", notState.Message);
        Assert.DoesNotContain('\n', notState.Message);
        Assert.Equal(before.Keys, Weights(mine).Keys);
        foreach (var (name, values) in before) Assert.Equal(values, Weights(mine)[name]);
    }

    [Fact]
    public void The_model_file_loads_with_LoadSafetensors_the_state_file_with_TrainingCheckpoint_and_both_carry_the_metadata()
    {
        using var dir = new TempDirectory();
        using var model = new TinyVit(0);
        using var trainer = new Trainer(model, RandomImages(16, 3), null, Options(1), torch.CPU, Architecture);
        trainer.RunEpoch();
        var metadata = CheckpointMetadata.For(model, labels: TenClasses.Names, preprocessing: new PreprocessConfig(8, 1.0, [0.5f], [0.5f], Channels: 1));
        trainer.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"), metadata);

        using var fromState = new TinyVit(5);
        var stateResult = TrainingCheckpoint.LoadWeights(fromState, dir.File("s.safetensors"));
        using var fromModel = new TinyVit(6);
        var modelResult = fromModel.LoadSafetensors(dir.File("m.safetensors"));
        var expected = Weights(model);
        Assert.Equal(expected, Weights(fromState));
        Assert.Equal(expected, Weights(fromModel));
        Assert.Equal(Architecture, modelResult.Metadata.Architecture);
        Assert.Equal(Architecture, stateResult.Metadata.Architecture);
        Assert.Equal(TenClasses.Names, modelResult.Metadata.Labels);
        Assert.Equal(metadata.Preprocessing, modelResult.Metadata.Preprocessing);
        Assert.Equal("1", modelResult.Metadata.Extra[TrainingCheckpoint.EpochKey]);
        Assert.Equal("1", stateResult.Metadata.Extra[TrainingCheckpoint.EpochKey]);
        Assert.Equal("1", stateResult.Metadata.Extra[TrainingCheckpoint.FormatKey]);
    }

    [Fact]
    public void LoadSafetensors_says_in_one_line_that_a_state_file_is_no_model_file_and_changes_nothing()
    {
        using var dir = new TempDirectory();
        using (var model = new TinyVit(0))
        using (var trainer = new Trainer(model, RandomImages(16, 3), null, Options(1), torch.CPU, Architecture))
            trainer.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        using var other = new TinyVit(7);
        var before = Weights(other);
        var e = Assert.Throws<CheckpointException>(() => other.LoadSafetensors(dir.File("s.safetensors")));
        Assert.Equal(CheckpointRule.TrainingStateFile, e.Rule);
        Assert.Equal($"{dir.File("s.safetensors")}: [TrainingStateFile] this is a ShapedVit training state file (weights, optimizer state and progress " +
                     "for resuming a run), not model weights: load the model file saved beside it, or use ShapedVit.Training's TrainingCheckpoint.LoadWeights.",
                     e.Message);
        foreach (var (name, values) in before) Assert.Equal(values, Weights(other)[name]);
    }

    [Fact]
    public void A_state_file_of_a_newer_format_is_refused_in_one_line()
    {
        using var dir = new TempDirectory();
        using var model = new TinyVit(0);
        using var trainer = new Trainer(model, RandomImages(16, 3), null, Options(1), torch.CPU, Architecture);
        trainer.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        using (var saved = Safetensors.ReadAll(dir.File("s.safetensors")))
        {
            var metadata = new Dictionary<string, string>(saved.Metadata) { [TrainingCheckpoint.FormatKey] = "2" };
            Safetensors.Write(dir.File("newer.safetensors"), saved.Tensors, metadata);
        }
        var e = Assert.Throws<CheckpointException>(() => trainer.LoadCheckpoint(dir.File("newer.safetensors")));
        Assert.Equal($"{dir.File("newer.safetensors")}: [TrainingStateMismatch] the state file has format 2, written by a newer ShapedVit; this one reads format 1 and older.", e.Message);
        var state = TrainingCheckpoint.ReadState(dir.File("s.safetensors")); // the file as written reads back
        Assert.Equal(trainer.State.Options, state.Options);
    }

    /// <summary>8x8 images as 64 one-pixel tokens through patch dropout; remembers how many tokens each forward kept.</summary>
    private sealed class TokenCountingModel : nn.Module<Tensor, Tensor>
    {
        private readonly ShapedVit.Layers.PatchDropout patch_drop = new(0.5, 0);
        private readonly TorchSharp.Modules.Linear head = nn.Linear(1, 10);
        public List<long> TokensSeen { get; } = [];

        public TokenCountingModel() : base(nameof(TokenCountingModel)) => RegisterComponents();

        public override Tensor forward(Tensor images)
        {
            var tokens = patch_drop.forward(images.flatten(1).unsqueeze(-1)); // [B, 64, 1] -> [B, kept, 1]
            TokensSeen.Add(tokens.shape[1]);
            return head.forward(tokens.mean([1]));
        }
    }

    [Fact]
    public void The_last_full_token_epochs_train_on_every_patch_token()
    {
        var data = RandomImages(32, 6);
        using var model = new TokenCountingModel();
        using var trainer = new Trainer(model, data, null, Options(3) with { FullTokenEpochs = 1 }, torch.CPU, "counting");
        var perEpoch = new List<long[]>();
        while (!trainer.Finished)
        {
            model.TokensSeen.Clear();
            trainer.RunEpoch();
            perEpoch.Add(model.TokensSeen.Distinct().ToArray());
        }
        Assert.Equal(new[] { new[] { 32L }, new[] { 32L }, new[] { 64L } }, perEpoch);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void Full_token_epochs_must_fit_in_the_run(int fullTokenEpochs) =>
        Assert.Equal($"full-token epochs must be between 0 and the 3 epochs (got {fullTokenEpochs}).",
                     Assert.Single((Options(3) with { FullTokenEpochs = fullTokenEpochs }).Problems()));

    [Fact]
    public void Warmup_then_cosine()
    {
        var schedule = new LearningRateSchedule(Peak: 1, Floor: 0.1, WarmupSteps: 10, TotalSteps: 110);
        Assert.Equal(0.1, schedule.At(0), 12);
        Assert.Equal(1.0, schedule.At(9), 12);
        Assert.Equal(1.0, schedule.At(10), 12);
        Assert.Equal(0.55, schedule.At(60), 12); // half-way through the decay: floor + (peak - floor) / 2
        Assert.Equal(0.1, schedule.At(110), 12);
    }

    [Fact]
    public void AdamW_first_step_moves_each_weight_by_the_learning_rate_against_its_gradient()
    {
        // After one step the bias-corrected moments are g and g^2, so the update is lr * g / (|g| + eps): lr * sign(g).
        // Decoupled weight decay first scales the weight by (1 - lr * wd).
        var weight = new TorchSharp.Modules.Parameter(torch.tensor(new float[] { 1f, -2f }));
        using var optimizer = new AdamW([("w", weight)], (_, _) => true, weightDecay: 0.5);
        torch.sum(weight * torch.tensor(new float[] { 3f, -0.5f })).backward();
        optimizer.Update(0.1);
        Assert.Equal(new[] { 1f * 0.95f - 0.1f, -2f * 0.95f + 0.1f }, weight.detach().data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(1, optimizer.Step);
    }
}
