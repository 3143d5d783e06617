using Microsoft.ML.OnnxRuntime;
using ShapedVit.Checkpoints;
using ShapedVit.Data;
using ShapedVit.Inference;
using ShapedVit.Onnx;
using ShapedVit.Testing;
using ShapedVit.Training;
using ShapedVit.Vision;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>A family model for the soak: rotary embedding, SwiGLU, two registers, as EVA-02 and DINOv2 with registers.</summary>
[VisionTransformer(NumClasses = 10, RegisterTokens = 2, Pooling = Pooling.Mean)]
[Image(28, Channels = 1), Patch(7), Embed(64), Depth(2), Heads(4), Mlp(128, Activation = MlpActivation.Silu, Gate = MlpGate.Split)]
[Attention(SeparateProjections = true, Rotary = true, RotaryReferenceGrid = 4)]
public partial class SoakFamilyVit { }

/// <summary>
/// The soak's second half, once per run: the surfaces added after the first soak, each checking its result, so a freed
/// handle or a stale weight shows as a <see cref="SoakFailure"/> (or a crash), not as a silently different number.
/// </summary>
internal sealed class SoakSurfaces
{
    private readonly string folder;
    private readonly string images;
    private readonly LabeledImages data;
    private readonly Random random = new(7);

    public long FineTunes, Folders, FolderImages, MetadataRoundTrips, Exports, FastPathChecks, Int8Checks, BFloat16Steps, FamilySteps;

    /// <summary>A folder of 2 classes x 3 grey PNGs with two symlink loops (a link to its own folder and one to the root).</summary>
    public SoakSurfaces(string folder, LabeledImages data, bool trace = false)
    {
        this.folder = folder;
        this.data = data;
        Trace = trace;
        images = Path.Combine(folder, "images");
        for (int c = 0; c < 2; c++)
        {
            string classFolder = Path.Combine(images, $"class{c}");
            Directory.CreateDirectory(classFolder);
            for (int i = 0; i < 3; i++)
                File.WriteAllBytes(Path.Combine(classFolder, $"{i}.png"), TestImages.Png(28, 28, (x, y) => new SKColor((byte)(x * 9 + c * 50), (byte)(y * 9 + i * 20), 0)));
        }
        File.CreateSymbolicLink(Path.Combine(images, "class0", "self"), ".");
        File.CreateSymbolicLink(Path.Combine(images, "class1", "root"), images);
    }

    /// <summary>With <c>--trace</c>: a line on standard error before each surface, so a crash names where it happened.</summary>
    public bool Trace { get; }

    /// <summary>Every surface once, starting from the model file the run just saved.</summary>
    public void Run(string modelPath, long run)
    {
        var surfaces = new (string Name, Action Step)[]
        {
            ("fine-tune", () => FineTuneWithTheHeadReset(modelPath, run)),
            ("image folder", () => ImageFolderWithSymlinkLoops(modelPath)),
            ("metadata", () => MetadataRoundTrip(modelPath, run)),
            ("onnx", () => OnnxWithExternalData(modelPath, run)),
            ("fast path", () => FastPathWithChangedWeights(modelPath, run)),
            ("int8", () => Int8(modelPath)),
            ("bfloat16", () => BFloat16Training(run)),
            ("family", () => Family(run)),
        };
        foreach (var (name, step) in surfaces)
        {
            if (Trace) { Console.Error.WriteLine($"soak: run {run}, {name}"); Console.Error.Flush(); }
            step();
        }
    }

    private static void Require(bool condition, string what)
    {
        if (!condition) throw new SoakFailure(what);
    }

    private static void RequireFinite(Tensor tensor, string what) => Require(tensor.isfinite().all().item<bool>(), $"{what}: not finite");

    private static Tensor Forward(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        model.eval();
        using var inference = torch.inference_mode();
        return model.call(input).clone();
    }

    private (Tensor Images, Tensor Labels) Batch(int size, int seed) => data.MakeBatch(Enumerable.Range(seed % 256, size).ToArray(), seed);

    private void FineTuneWithTheHeadReset(string modelPath, long run)
    {
        using var scope = NewDisposeScope();
        using var model = new SoakVit(seed: run + 1000);
        var loaded = model.LoadSafetensors(modelPath, new CheckpointLoadOptions { Classifier = ClassifierLoading.Reset });
        Require(loaded.ReinitializedTensors.Count > 0, "fine-tune: the head was not reset");
        using (var saved = Safetensors.ReadAll(modelPath))
            foreach (var (name, parameter) in model.named_parameters())
            {
                bool head = loaded.ReinitializedTensors.Any(t => t.StartsWith(name, StringComparison.Ordinal));
                Require(head || parameter.allclose(saved.Tensors[name], 0, 0), $"fine-tune: backbone tensor {name} is not the saved one");
            }
        var options = new TrainerOptions { Epochs = 1, BatchSize = 16, LearningRate = 1e-3 };
        using var trainer = new Trainer(model, data, null, options, torch.CPU, nameof(SoakVit));
        for (int step = 0; step < 3; step++)
        {
            var (images, labels) = Batch(16, (int)run + step);
            double loss = trainer.TrainStep(images, labels, 1e-3).Loss;
            Require(double.IsFinite(loss), $"fine-tune step {step}: loss {loss}");
        }
        FineTunes++;
    }

    private void ImageFolderWithSymlinkLoops(string modelPath)
    {
        using var scope = NewDisposeScope();
        var folderData = new ImageFolder(images, ImageTransform.Eval(new PreprocessConfig(28, 1.0, [0.5f], [0.25f], Channels: 1)));
        Require(folderData.Count == 6 && folderData.ClassNames.SequenceEqual(["class0", "class1"]), $"image folder: {folderData.Count} images of {folderData.ClassNames.Count} classes, expected 6 of 2 (each file once)");
        using var model = new SoakVit(seed: 0);
        model.LoadSafetensors(modelPath);
        foreach (var batch in folderData.Batches(Enumerable.Range(0, folderData.Count).ToArray(), 4, 0))
        {
            using var _ = batch;
            RequireFinite(Forward(model, batch.Images), "image folder logits");
            FolderImages += batch.Count;
        }
        Folders++;
    }

    private void MetadataRoundTrip(string modelPath, long run)
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(folder, "with-metadata.safetensors");
        var metadata = new CheckpointMetadata
        {
            ModelName = nameof(SoakVit), Architecture = $"soak run {run}", Labels = Enumerable.Range(0, 10).Select(i => $"label {i} of run {run}").ToArray(),
            Preprocessing = new PreprocessConfig(28, 1.0, [0.5f], [0.25f], Channels: 1),
        };
        using var model = new SoakVit(seed: 0);
        model.LoadSafetensors(modelPath);
        model.SaveSafetensors(path, metadata);
        var read = CheckpointMetadata.Read(path);
        Require(read.ModelName == metadata.ModelName && read.Architecture == metadata.Architecture && read.Labels!.SequenceEqual(metadata.Labels)
                && read.Preprocessing!.Size == 28 && read.Preprocessing.Mean.SequenceEqual(metadata.Preprocessing.Mean) && read.Preprocessing.Std.SequenceEqual(metadata.Preprocessing.Std),
                "metadata: what was read back is not what was written");
        using var reloaded = new SoakVit(seed: 1);
        var loaded = reloaded.LoadSafetensors(path);
        Require(loaded.Metadata.Labels!.SequenceEqual(metadata.Labels), "metadata: LoadSafetensors read other labels");
        var input = Batch(4, (int)run).Images;
        Require(Forward(model, input).allclose(Forward(reloaded, input), 0, 0), "metadata: the reloaded model gives other logits");
        MetadataRoundTrips++;
    }

    private void OnnxWithExternalData(string modelPath, long run)
    {
        using var scope = NewDisposeScope();
        using var model = new SoakVit(seed: 0);
        model.LoadSafetensors(modelPath);
        string path = Path.Combine(folder, "model.onnx");
        // Exported over the previous run's pair: the new pair replaces it as a whole.
        var result = model.ExportOnnx(path, new OnnxExportOptions { ExternalDataThreshold = 0 });
        Require(result.ExternalDataPath is not null && File.Exists(result.ExternalDataPath), "onnx: no external data file");
        Require(Directory.GetFiles(folder, "model.onnx.*.data").Length == 1, "onnx: an earlier export's data file was left");
        var input = Batch(3, (int)run).Images.contiguous();
        var expected = Forward(model, input);
        using var session = new InferenceSession(path);
        var pixels = input.data<float>().ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(pixels, input.shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [session.InputNames[0]], [value], [session.OutputNames[0]]);
        var logits = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var got = torch.tensor(logits).reshape(expected.shape);
        float difference = (got - expected).abs().max().item<float>();
        Require(difference <= 1e-4f, $"onnx: ONNX Runtime's logits differ by {difference} from the model's");
        Exports++;
    }

    private void FastPathWithChangedWeights(string modelPath, long run)
    {
        using var scope = NewDisposeScope();
        using var model = new SoakVit(seed: 0);
        model.LoadSafetensors(modelPath);
        var input = Batch(8, (int)run).Images;
        var qkv = model.named_parameters().First(p => p.name.EndsWith("qkv.weight", StringComparison.Ordinal)).parameter;
        var writes = new (string Name, Action Write)[]
        {
            ("in place under no_grad", () =>
            {
                using var noGrad = torch.no_grad();
                using Scalar factor = 1.01; // held: an implicit temporary could be finalised by the collector thread mid-call
                foreach (var (_, parameter) in model.named_parameters()) parameter.mul_(factor);
            }),
            ("raw, through data<float>()", () =>
            {
                var values = qkv.data<float>(); // a write libtorch's version counter does not see
                values[0, 0] = values[0, 0] + 0.5f;
                values[1, 3] = values[1, 3] - 0.5f;
            }),
        };
        foreach (var (name, write) in writes)
        {
            var first = Forward(model, input); // packs the weights (where the packed path is available)
            write();
            var packed = Forward(model, input);
            bool was = PackedGemm.Enabled;
            PackedGemm.Enabled = false;
            Tensor reference;
            try { reference = Forward(model, input); }
            finally { PackedGemm.Enabled = was; }
            RequireFinite(packed, "fast path logits");
            Require(!packed.allclose(first, 0, 0), $"fast path, {name}: the changed weights gave the same logits");
            float difference = (packed - reference).abs().max().item<float>();
            Require(difference <= 1e-4f, $"fast path, weights changed {name}: logits differ by {difference} from the unpacked path's (stale packed weights)");
            FastPathChecks++;
        }
    }

    private void Int8(string modelPath)
    {
        using var scope = NewDisposeScope();
        using var model = new SoakVit(seed: 0);
        model.LoadSafetensors(modelPath);
        var input = Batch(16, 3).Images;
        var expected = Forward(model, input);
        Int8Inference.Quantize(model);
        var got = Int8Inference.Predict(model, input);
        RequireFinite(got, "int8 logits");
        float difference = (got - expected).abs().max().item<float>(), range = expected.abs().max().item<float>();
        Require(difference <= 0.1f * range + 1e-3f, $"int8: logits differ by {difference} from float32's (largest {range})");
        Int8Checks++;
    }

    private void BFloat16Training(long run)
    {
        using var scope = NewDisposeScope();
        using var model = new SoakVit(seed: run);
        var options = new TrainerOptions { Epochs = 1, BatchSize = 16, LearningRate = 1e-3, Precision = TrainingPrecision.BFloat16 };
        using var trainer = new Trainer(model, data, null, options, torch.CPU, nameof(SoakVit));
        var before = model.named_parameters().First().parameter.clone();
        for (int step = 0; step < 3; step++)
        {
            var (images, labels) = Batch(16, (int)run * 3 + step);
            double loss = trainer.TrainStep(images, labels, 1e-3).Loss;
            Require(double.IsFinite(loss), $"bfloat16 step {step}: loss {loss}");
            BFloat16Steps++;
        }
        foreach (var (name, parameter) in model.named_parameters())
        {
            Require(parameter.dtype == ScalarType.Float32, $"bfloat16: {name} is {parameter.dtype}, not the float32 master weight");
            RequireFinite(parameter, $"bfloat16: {name}");
        }
        Require(!model.named_parameters().First().parameter.allclose(before, 0, 0), "bfloat16: the weights did not train");
    }

    private void Family(long run)
    {
        using var scope = NewDisposeScope();
        using var model = new SoakFamilyVit(seed: run);
        var options = new TrainerOptions { Epochs = 1, BatchSize = 16, LearningRate = 1e-3 };
        using var trainer = new Trainer(model, data, null, options, torch.CPU, nameof(SoakFamilyVit));
        for (int step = 0; step < 3; step++)
        {
            var (images, labels) = Batch(16, (int)run * 5 + step);
            double loss = trainer.TrainStep(images, labels, 1e-3).Loss;
            Require(double.IsFinite(loss), $"family step {step}: loss {loss}");
            FamilySteps++;
        }
        string path = Path.Combine(folder, "family.safetensors");
        model.SaveSafetensors(path);
        using var reloaded = new SoakFamilyVit(seed: run + 1);
        reloaded.LoadSafetensors(path);
        var input = Batch(4, (int)run).Images;
        var logits = Forward(model, input);
        RequireFinite(logits, "family logits");
        Require(logits.allclose(Forward(reloaded, input), 0, 0), "family: the reloaded model gives other logits");
    }

    public override string ToString() =>
        $"{FineTunes} fine-tunes with the head reset, {Folders} symlinked folders ({FolderImages} images), {MetadataRoundTrips} metadata round trips, " +
        $"{Exports} ONNX exports with external data reloaded, {FastPathChecks} fast-path weight changes, {Int8Checks} int8 checks, " +
        $"{BFloat16Steps} bfloat16 steps, {FamilySteps} family-model steps";
}

/// <summary>A surface gave a wrong result in the soak.</summary>
internal sealed class SoakFailure(string message) : Exception(message);
