using ShapedVit.Data;
using ShapedVit.Testing;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Training.Tests;

/// <summary>
/// <see cref="TrainingPrecision.BFloat16"/>: forward and backward in a bfloat16 copy, the model's own float32 parameters
/// the master weights (optimizer, checkpoints, evaluation).
/// </summary>
[Collection(TrainingCollection.Name)]
public class BFloat16TrainingTests
{
    private static TrainerOptions Plain(int epochs = 1, TrainingPrecision precision = TrainingPrecision.BFloat16) => new()
    {
        Epochs = epochs, BatchSize = 16, LearningRate = 3e-3, MinLearningRate = 3e-3, WarmupEpochs = 0, Seed = 3, LabelSmoothing = 0,
        GradientClipNorm = 0, Precision = precision,
    };

    private static LabeledImages Data(int count, int seed) => TrainerTests.RandomImages(count, seed).WithoutAugmentation();

    private static (Tensor Images, Tensor Labels) Batch(LabeledImages data) =>
        data.WithoutAugmentation().MakeBatch(Enumerable.Range(0, data.Count).ToArray());

    private static Dictionary<string, Tensor> Weights(nn.Module model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    /// <summary>||a - b|| / ||b||.</summary>
    private static double RelativeDistance(Tensor a, Tensor b) => ((a - b).norm() / b.norm()).item<float>();

    [Fact]
    public void A_step_runs_in_bfloat16_and_updates_the_float32_masters_as_float32_would_within_bfloat16_rounding()
    {
        using var scope = NewDisposeScope();
        var data = Data(16, 1);
        var (images, labels) = Batch(data);
        Dictionary<string, Tensor> Step(TrainingPrecision precision, out Dictionary<string, Tensor> before)
        {
            var model = new PlainTinyVit(seed: 4);
            before = Weights(model);
            using var trainer = new Trainer(model, data, null, Plain(precision: precision), torch.CPU, "plain", groups => new FineTuningTests.Sgd(groups));
            trainer.TrainStep(images, labels, 0.1);
            Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
            return Weights(model);
        }
        var float32 = Step(TrainingPrecision.Float32, out var initial);
        var bfloat16 = Step(TrainingPrecision.BFloat16, out _);
        double largest = 0;
        foreach (var (name, start) in initial)
        {
            // SGD: the update is -lr x gradient, so this compares the two gradients.
            var expected = float32[name] - start;
            if (expected.norm().item<float>() == 0) continue;
            double distance = RelativeDistance(bfloat16[name] - start, expected);
            Assert.True(distance < 0.05, $"{name}: the bfloat16 step is {distance:P1} away from the float32 one");
            largest = Math.Max(largest, distance);
        }
        Assert.True(largest > 1e-4, "the bfloat16 step equals the float32 one: it did not run in bfloat16");
    }

    [Fact]
    public void Training_in_bfloat16_follows_the_float32_loss_curve()
    {
        var data = Data(64, 2);
        double[] Losses(TrainingPrecision precision)
        {
            using var model = new PlainTinyVit(seed: 5);
            using var trainer = new Trainer(model, data, null, Plain(epochs: 10, precision) with { LearningRate = 1e-2, MinLearningRate = 1e-2 }, torch.CPU, "plain");
            while (!trainer.Finished) trainer.RunEpoch();
            return trainer.State.History.Select(r => r.TrainLoss).ToArray();
        }
        var float32 = Losses(TrainingPrecision.Float32);
        var bfloat16 = Losses(TrainingPrecision.BFloat16);
        Assert.True(float32[^1] < float32[0] - 0.2, $"float32 did not learn: {string.Join(", ", float32)}");
        for (int epoch = 0; epoch < float32.Length; epoch++)
            Assert.True(Math.Abs(bfloat16[epoch] - float32[epoch]) <= 0.02 * float32[epoch],
                        $"epoch {epoch + 1}: bfloat16 loss {bfloat16[epoch]:F4}, float32 {float32[epoch]:F4} ({string.Join(", ", bfloat16)} / {string.Join(", ", float32)})");
    }

    [Fact]
    public void Accumulated_micro_batches_add_their_gradients_into_the_masters()
    {
        using var scope = NewDisposeScope();
        var data = Data(16, 3);
        var (images, labels) = Batch(data);
        Dictionary<string, Tensor> Gradients(int accumulation)
        {
            var model = new PlainTinyVit(seed: 6);
            using var trainer = new Trainer(model, data, null, Plain() with { GradientAccumulation = accumulation }, torch.CPU, "plain",
                                            groups => new FineTuningTests.Sgd(groups));
            trainer.TrainStep(images, labels, 0.1);
            return model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        }
        var whole = Gradients(1);
        var quarters = Gradients(4);
        foreach (var (name, gradient) in whole)
        {
            if (gradient.norm().item<float>() < 1e-6) continue; // zero in exact arithmetic (the attention key bias)
            double distance = RelativeDistance(quarters[name], gradient);
            Assert.True(distance < 0.02, $"{name}: four micro-batches' gradient is {distance:P1} from the whole batch's");
        }
    }

    [Fact]
    public void A_bfloat16_linear_probe_changes_the_head_and_leaves_the_rest_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var data = Data(16, 4);
        using var model = new TinyVit(seed: 7);
        var before = Weights(model);
        using var trainer = new Trainer(model, data, null, Plain() with { LinearProbe = true }, torch.CPU, "tiny");
        var (images, labels) = Batch(data);
        trainer.TrainStep(images, labels, 1e-2);
        foreach (var (name, tensor) in Weights(model))
        {
            bool same = tensor.eq(before[name]).all().item<bool>();
            if (name.StartsWith("head.", StringComparison.Ordinal)) Assert.False(same, name);
            else Assert.True(same, name);
        }
    }

    [Fact]
    public void A_bfloat16_run_saves_float32_checkpoints_and_resumes_exactly()
    {
        var data = TrainerTests.RandomImages(32, 8);
        using var dir = new TempDirectory();
        var options = Plain(epochs: 2) with { EmaDecay = 0.9 };
        using var straightModel = new TinyVit(seed: 1);
        using (var straight = new Trainer(straightModel, data, null, options, torch.CPU, "tiny"))
            while (!straight.Finished) straight.RunEpoch();

        using (var firstModel = new TinyVit(seed: 1))
        using (var first = new Trainer(firstModel, data, null, options, torch.CPU, "tiny"))
        {
            first.RunEpoch();
            first.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        }
        using var saved = ShapedVit.Checkpoints.Safetensors.ReadAll(dir.File("m.safetensors"));
        Assert.All(saved.Tensors.Values, t => Assert.Equal(ScalarType.Float32, t.dtype));
        Assert.Equal(TrainingPrecision.BFloat16, TrainingCheckpoint.ReadState(dir.File("s.safetensors")).Options.Precision);

        using var resumedModel = new TinyVit(seed: 9);
        using var resumed = new Trainer(resumedModel, data, null, options, torch.CPU, "tiny");
        resumed.LoadCheckpoint(dir.File("s.safetensors"));
        resumed.RunEpoch();
        var expected = Weights(straightModel);
        foreach (var (name, tensor) in Weights(resumedModel))
            Assert.True(tensor.eq(expected[name]).all().item<bool>(), name);
    }

    [Theory]
    [InlineData(TrainingPrecision.Float32, TrainingPrecision.BFloat16, "float32", "bfloat16")]
    [InlineData(TrainingPrecision.BFloat16, TrainingPrecision.Float32, "bfloat16", "float32")]
    public void Resuming_in_another_precision_is_refused_naming_the_switch_and_nothing_changes(TrainingPrecision saved, TrainingPrecision resumedIn, string savedName, string resumedName)
    {
        var data = TrainerTests.RandomImages(16, 8);
        using var dir = new TempDirectory();
        using (var model = new TinyVit(seed: 1))
        using (var trainer = new Trainer(model, data, null, Plain(precision: saved), torch.CPU, "tiny"))
            trainer.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        using var other = new TinyVit(seed: 2);
        var before = Weights(other);
        using var resumed = new Trainer(other, data, null, Plain(precision: resumedIn), torch.CPU, "tiny");
        var error = Assert.Throws<ShapedVit.Checkpoints.CheckpointException>(() => resumed.LoadCheckpoint(dir.File("s.safetensors")));
        Assert.Equal($"{dir.File("s.safetensors")}: [TrainingStateMismatch] the run was trained in {savedName} and this trainer trains in {resumedName}: " +
                     $"a run cannot switch precision (TrainerOptions.Precision) when it is resumed; resume in {savedName}, or start a new run.", error.Message);
        foreach (var (name, tensor) in Weights(other)) Assert.True(tensor.eq(before[name]).all().item<bool>(), name);
        Assert.Equal(0, resumed.State.CompletedEpochs);
    }

    [Fact]
    public void Choosing_bfloat16_leaves_torchs_global_generator_where_float32_leaves_it()
    {
        var data = Data(16, 6);
        float[] NextRandom(TrainingPrecision precision)
        {
            using var model = new TinyVit(seed: 1);
            torch.manual_seed(123);
            using var trainer = new Trainer(model, data, null, Plain(precision: precision), torch.CPU, "tiny");
            return torch.rand(4).data<float>().ToArray();
        }
        Assert.Equal(NextRandom(TrainingPrecision.Float32), NextRandom(TrainingPrecision.BFloat16));
    }

    [Fact]
    public void A_model_changed_after_it_was_built_is_refused()
    {
        using var model = new PlainTinyVit(seed: 1);
        model.register_parameter("extra", new Parameter(torch.zeros(3)));
        var error = Assert.Throws<ArgumentException>(() => new Trainer(model, Data(16, 5), null, Plain(), torch.CPU, "plain"));
        Assert.Equal("bfloat16 training builds a second PlainTinyVit for its compute copy, and its tensors differ from the model's (extra): " +
                     "a model changed after it was built trains in float32 only. (Parameter 'master')", error.Message);
    }

    /// <summary>A module the trainer cannot build a second one of.</summary>
    private sealed class WidthClassifier : nn.Module<Tensor, Tensor>
    {
        private readonly Linear head;
        public WidthClassifier(int inputs) : base(nameof(WidthClassifier))
        {
            head = nn.Linear(inputs, 10);
            RegisterComponents();
        }
        public override Tensor forward(Tensor images) => head.forward(images.flatten(1));
    }

    [Fact]
    public void A_model_the_trainer_cannot_build_another_of_is_refused_with_the_way_out()
    {
        using var model = new WidthClassifier(64);
        var error = Assert.Throws<ArgumentException>(() => new Trainer(model, Data(16, 5), null, Plain(), torch.CPU, "width"));
        Assert.Equal("bfloat16 training builds a second WidthClassifier for its compute copy through IVisionTransformer.CreateLike, " +
                     "which WidthClassifier does not implement (every generated model does): train it in float32. (Parameter 'master')", error.Message);
        using var trainer = new Trainer(model, Data(16, 5), null, Plain(precision: TrainingPrecision.Float32), torch.CPU, "width");
    }
}
