using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.Testing;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Training.Tests;

[Collection(TrainingCollection.Name)]
public class FineTuningTests
{
    private static LabeledImages Data(int count, int seed) => TrainerTests.RandomImages(count, seed);

    private static Dictionary<string, float[]> Weights(nn.Module model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().data<float>().ToArray());

    private static TrainerOptions Plain(int epochs = 1) => new()
    {
        Epochs = epochs, BatchSize = 16, LearningRate = 1e-3, MinLearningRate = 1e-3, WarmupEpochs = 0, Seed = 3, LabelSmoothing = 0, GradientClipNorm = 0,
    };

    private static (Tensor Images, Tensor Labels) Batch(LabeledImages data) =>
        data.WithoutAugmentation().MakeBatch(Enumerable.Range(0, data.Count).ToArray());

    [Fact]
    public void A_linear_probe_changes_the_head_and_nothing_else()
    {
        var data = Data(16, 1);
        using var model = new TinyVit(seed: 2);
        var before = Weights(model);
        using var trainer = new Trainer(model, data, null, Plain() with { LinearProbe = true }, torch.CPU, "tiny");
        Assert.Equal(["head.bias", "head.weight"], trainer.Groups.SelectMany(g => g.Parameters).Select(p => p.Name).Order());
        var (images, labels) = Batch(data);
        trainer.TrainStep(images, labels, 1e-2);
        var after = Weights(model);
        foreach (var (name, values) in before)
        {
            if (name.StartsWith("head.", StringComparison.Ordinal)) Assert.NotEqual(values, after[name]);
            else Assert.Equal(values, after[name]);
        }
    }

    [Fact]
    public void Layer_decay_gives_timms_per_layer_rates()
    {
        // timm's param_groups_layer_decay on a depth-2 ViT: ids stem 0, blocks.0 1, blocks.1 and the final norm 2, head 3;
        // scale = decay^(3 - id) (LayerDecayReferenceTests checks the same against groups timm's own code computed).
        using var model = new TinyVit(seed: 0);
        var groups = ParameterGroups.Create(model, 0.05, layerDecay: 0.5);
        var scaleOf = groups.SelectMany(g => g.Parameters.Select(p => (p.Name, g.LearningRateScale))).ToDictionary();
        Assert.Equal(0.125, scaleOf["cls_token"]);
        Assert.Equal(0.125, scaleOf["pos_embed"]);
        Assert.Equal(0.125, scaleOf["patch_embed.proj.weight"]);
        Assert.Equal(0.25, scaleOf["blocks.0.attn.qkv.weight"]);
        Assert.Equal(0.25, scaleOf["blocks.0.norm1.bias"]);
        Assert.Equal(0.5, scaleOf["blocks.1.mlp.fc2.weight"]);
        Assert.Equal(0.5, scaleOf["norm.weight"]);
        Assert.Equal(1.0, scaleOf["head.weight"]);
        Assert.Equal(1.0, scaleOf["head.bias"]);
        Assert.Equal(model.named_parameters().Count(), scaleOf.Count);
        Assert.Equal(Math.Pow(0.75, 12 + 1), ParameterGroups.LayerScale(0, 12 + 1, 0.75), 15);       // ViT-B embeddings
        Assert.Equal(Math.Pow(0.75, 12 - 5), ParameterGroups.LayerScale(5 + 1, 12 + 1, 0.75), 15); // blocks.5
        Assert.Equal(3, ParameterGroups.LayerIds(model.named_parameters().Select(p => p.name)).Values.Max());
    }

    [Fact]
    public void The_first_AdamW_step_moves_each_layer_by_its_scaled_rate()
    {
        // After one step the update is lr x scale x g / (|g| + eps): so a bias with clear gradients moves by lr x scale.
        var data = Data(16, 2);
        using var model = new PlainTinyVit(seed: 4);
        var before = Weights(model);
        using var trainer = new Trainer(model, data, null, Plain() with { LayerDecay = 0.5, WeightDecay = 0 }, torch.CPU, "tiny");
        var (images, labels) = Batch(data);
        trainer.TrainStep(images, labels, 1e-2);
        var after = Weights(model);
        foreach (var (name, scale) in new[] { ("blocks.0.mlp.fc2.bias", 0.25), ("blocks.1.mlp.fc2.bias", 0.5), ("norm.bias", 0.5), ("head.bias", 1.0) })
        {
            double moved = before[name].Zip(after[name], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(Math.Abs(moved - 1e-2 * scale) < 1e-2 * scale * 1e-3, $"{name} moved {moved}, expected {1e-2 * scale}");
        }
    }

    /// <summary>A module whose parameters test the kinds: a 2-D parameter held by the root, a LayerNorm, a 2-D weight named like a token inside a child.</summary>
    private sealed class KindsModel : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter scale_matrix = new(torch.ones(4, 4));
        private readonly LayerNorm norm = nn.LayerNorm(4);
        private readonly Linear fc = nn.Linear(4, 4);
        private readonly Linear cls_token = nn.Linear(4, 4); // a child named like a token: still a Linear, so decayed

        public KindsModel() : base(nameof(KindsModel)) => RegisterComponents();

        public override Tensor forward(Tensor x) => cls_token.forward(fc.forward(norm.forward(x.matmul(scale_matrix))));
    }

    [Fact]
    public void Weight_decay_groups_follow_the_kind_of_each_parameter()
    {
        using var vit = new TinyVit(seed: 0);
        var groups = ParameterGroups.Create(vit, 0.05);
        var decayed = groups.Where(g => g.WeightDecay == 0.05).SelectMany(g => g.Parameters).Select(p => p.Name).Order().ToArray();
        Assert.Equal(new[]
        {
            "blocks.0.attn.proj.weight", "blocks.0.attn.qkv.weight", "blocks.0.mlp.fc1.weight", "blocks.0.mlp.fc2.weight",
            "blocks.1.attn.proj.weight", "blocks.1.attn.qkv.weight", "blocks.1.mlp.fc1.weight", "blocks.1.mlp.fc2.weight",
            "head.weight", "patch_embed.proj.weight",
        }, decayed);
        var free = groups.Where(g => g.WeightDecay == 0).SelectMany(g => g.Parameters).Select(p => p.Name).ToHashSet();
        Assert.Contains("cls_token", free);
        Assert.Contains("pos_embed", free);
        Assert.Contains("norm.weight", free);
        Assert.Contains("blocks.1.norm2.bias", free);
        Assert.Contains("head.bias", free);

        using var kinds = new KindsModel();
        var none = ParameterGroups.NoWeightDecay(kinds);
        Assert.Equal(new[] { "cls_token.bias", "fc.bias", "norm.bias", "norm.weight", "scale_matrix" }, none.Order());
    }

    [Fact]
    public void Two_accumulated_half_batches_make_the_same_step_as_one_whole_batch()
    {
        // The gradients (after clipping) must agree within float rounding, and so the step: compared with the default AdamW
        // on the gradients, and with SGD on the weights (AdamW's first step is lr x g / (|g| + eps), which turns the rounding
        // noise of a gradient that is zero in exact arithmetic, such as the attention key bias's, into a full-size step).
        var data = Data(16, 5);
        var (images, labels) = Batch(data);
        (Dictionary<string, float[]> Weights, Dictionary<string, float[]> Gradients) Step(int accumulation, OptimizerFactory? optimizer)
        {
            using var model = new PlainTinyVit(seed: 6);
            using var trainer = new Trainer(model, data, null, Plain() with { GradientAccumulation = accumulation, LabelSmoothing = 0.1, GradientClipNorm = 1 },
                                            torch.CPU, "plain", optimizer);
            trainer.TrainStep(images, labels, 1e-2);
            var gradients = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.data<float>().ToArray());
            return (Weights(model), gradients);
        }
        foreach (var optimizer in new OptimizerFactory?[] { null, groups => new Sgd(groups) })
        {
            var whole = Step(1, optimizer);
            var halves = Step(2, optimizer);
            foreach (var (name, values) in whole.Gradients)
            {
                float difference = values.Zip(halves.Gradients[name], (a, b) => Math.Abs(a - b)).Max();
                Assert.True(difference <= 1e-6f, $"gradient of {name} differs by {difference}");
            }
            if (optimizer is null) continue;
            foreach (var (name, values) in whole.Weights)
            {
                float difference = values.Zip(halves.Weights[name], (a, b) => Math.Abs(a - b)).Max();
                Assert.True(difference <= 1e-7f, $"{name} differs by {difference}");
            }
            using var reference = new PlainTinyVit(seed: 6);
            Assert.NotEqual(Weights(reference)["head.weight"], whole.Weights["head.weight"]); // the step did something
        }
    }

    [Fact]
    public void The_EMA_is_decay_times_the_average_plus_the_rest_times_the_weights()
    {
        using var model = nn.Linear(2, 1);
        using var noGrad = torch.no_grad();
        model.weight!.copy_(torch.tensor(new float[] { 1f, 2f }).reshape(1, 2));
        model.bias!.copy_(torch.tensor(new float[] { 4f }));
        using var ema = new ModelEma(model, decay: 0.75);
        model.weight.copy_(torch.tensor(new float[] { 3f, -2f }).reshape(1, 2));
        model.bias.copy_(torch.tensor(new float[] { 0f }));
        ema.Update(); // 0.75 x old + 0.25 x new
        var average = ema.StateTensors().ToDictionary(t => t.Name, t => t.Tensor.data<float>().ToArray());
        Assert.Equal(new[] { 1.5f, 1f }, average["weight"]);
        Assert.Equal(new[] { 3f }, average["bias"]);
        ema.Update();
        average = ema.StateTensors().ToDictionary(t => t.Name, t => t.Tensor.data<float>().ToArray());
        Assert.Equal(new[] { 0.75f * 1.5f + 0.75f, 0.75f * 1f - 0.5f }, average["weight"]);
        using var copy = nn.Linear(2, 1);
        ema.CopyTo(copy);
        Assert.Equal(average["weight"], copy.weight!.data<float>().ToArray());
    }

    [Fact]
    public void A_run_with_an_EMA_resumes_exactly_with_it()
    {
        var data = Data(32, 7);
        using var dir = new TempDirectory();
        var options = Plain(2) with { EmaDecay = 0.9 };
        using var straightModel = new TinyVit(seed: 1);
        using var straight = new Trainer(straightModel, data, null, options, torch.CPU, "tiny");
        straight.RunEpoch(); straight.RunEpoch();
        using (var firstModel = new TinyVit(seed: 1))
        using (var first = new Trainer(firstModel, data, null, options, torch.CPU, "tiny"))
        {
            first.RunEpoch();
            first.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        }
        using var resumedModel = new TinyVit(seed: 9);
        using var resumed = new Trainer(resumedModel, data, null, options, torch.CPU, "tiny");
        resumed.LoadCheckpoint(dir.File("s.safetensors"));
        resumed.RunEpoch();
        var expected = straight.Ema!.StateTensors().ToDictionary(t => t.Name, t => t.Tensor.data<float>().ToArray());
        foreach (var (name, tensor) in resumed.Ema!.StateTensors())
            Assert.Equal(expected[name], tensor.data<float>().ToArray());
    }

    [Fact]
    public void A_finished_run_resumed_with_more_epochs_equals_one_longer_run()
    {
        var data = Data(48, 8);
        using var dir = new TempDirectory();
        var options = Plain(2) with { LearningRate = 3e-3, MinLearningRate = 3e-3 }; // a rate that does not depend on the horizon
        using var longModel = new TinyVit(seed: 5);
        using (var longer = new Trainer(longModel, data, null, options with { Epochs = 3 }, torch.CPU, "tiny"))
            while (!longer.Finished) longer.RunEpoch();

        using (var firstModel = new TinyVit(seed: 5))
        using (var first = new Trainer(firstModel, data, null, options, torch.CPU, "tiny"))
        {
            while (!first.Finished) first.RunEpoch();
            first.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        }
        using var resumedModel = new TinyVit(seed: 77);
        using var resumed = new Trainer(resumedModel, data, null, TrainingCheckpoint.ReadState(dir.File("s.safetensors")).Options, torch.CPU, "tiny");
        resumed.LoadCheckpoint(dir.File("s.safetensors"));
        Assert.True(resumed.Finished);
        resumed.ExtendEpochs(3);
        Assert.False(resumed.Finished);
        resumed.RunEpoch();
        Assert.True(resumed.Finished);
        Assert.Equal(3, resumed.State.History.Count);
        var expected = Weights(longModel);
        foreach (var (name, values) in Weights(resumedModel))
        {
            float difference = values.Zip(expected[name], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(difference <= 1e-6f, $"{name} differs by {difference}");
        }
        resumed.SaveCheckpoint(dir.File("m.safetensors"), dir.File("s.safetensors"));
        Assert.Equal(3, TrainingCheckpoint.ReadState(dir.File("s.safetensors")).Options.Epochs);
    }

    [Fact]
    public void Extending_a_cosine_run_moves_the_horizon_from_the_next_step()
    {
        var data = Data(32, 9);
        using var model = new TinyVit(seed: 5);
        var options = Plain(2) with { LearningRate = 1e-2, MinLearningRate = 1e-4, WarmupEpochs = 0 };
        using var trainer = new Trainer(model, data, null, options, torch.CPU, "tiny");
        while (!trainer.Finished) trainer.RunEpoch();
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.ExtendEpochs(1));
        trainer.ExtendEpochs(4);
        var schedule = new LearningRateSchedule(1e-2, 1e-4, 0, 4 * trainer.StepsPerEpoch);
        Assert.Equal(schedule.At(trainer.State.Step), trainer.LearningRateAt(trainer.State.Step));
        var record = trainer.RunEpoch();
        Assert.Equal(schedule.At(trainer.State.Step - 1), record.LearningRate);
    }

    /// <summary>Plain SGD as a user's own optimizer: w -= lr x scale x g.</summary>
    internal sealed class Sgd(IReadOnlyList<ParameterGroup> groups) : ITrainerOptimizer
    {
        public IReadOnlyList<ParameterGroup> Groups { get; } = groups;
        public long Step { get; private set; }
        public IEnumerable<Parameter> Parameters => Groups.SelectMany(g => g.Parameters.Select(p => p.Parameter));
        public void ZeroGrad() { foreach (var p in Parameters) p.grad?.zero_(); }
        public void Update(double learningRate)
        {
            Step++;
            using var noGrad = torch.no_grad();
            foreach (var group in Groups)
                foreach (var (_, p) in group.Parameters)
                    if (p.grad is not null) p.add_(p.grad, alpha: -learningRate * group.LearningRateScale);
        }
        public IEnumerable<(string Name, Tensor Tensor)> StateTensors() => [];
        public void LoadState(IReadOnlyDictionary<string, Tensor> tensors, long step, string source = "", bool validateOnly = false) { if (!validateOnly) Step = step; }
        public void Dispose() { }
    }

    /// <summary>Not a generated model: any Module&lt;Tensor, Tensor&gt; from images to logits trains.</summary>
    private sealed class LinearClassifier : nn.Module<Tensor, Tensor>
    {
        private readonly Linear head = nn.Linear(64, 10);
        public LinearClassifier() : base(nameof(LinearClassifier)) => RegisterComponents();
        public override Tensor forward(Tensor images) => head.forward(images.flatten(1));
    }

    [Fact]
    public void Any_module_trains_with_a_users_own_optimizer()
    {
        var data = Data(16, 10).WithoutAugmentation();
        using var model = new LinearClassifier();
        Sgd? made = null;
        using var trainer = new Trainer(model, data, data, Plain() with { WeightDecay = 0 }, torch.CPU, "linear", groups => made = new Sgd(groups));
        Assert.Same(made, trainer.Optimizer);
        var (images, labels) = Batch(data);
        var before = Weights(model);
        model.zero_grad();
        var loss = torch.nn.functional.cross_entropy(model.forward(images), labels);
        loss.backward();
        var expected = before["head.weight"].Zip(model.head_grad(), (w, g) => w - 1e-3f * g).ToArray();
        trainer.TrainStep(images, labels, 1e-3);
        var after = Weights(model)["head.weight"];
        Assert.Equal(expected, after, (a, b) => Math.Abs(a - b) < 1e-7);
        var record = trainer.RunEpoch();
        Assert.Equal(1, record.Epoch);
        Assert.Equal(16, trainer.LastEvaluation!.Count);
    }
}

internal static class LinearClassifierExtensions
{
    public static float[] head_grad(this nn.Module model) =>
        model.named_parameters().Single(p => p.name == "head.weight").parameter.grad!.data<float>().ToArray();
}
