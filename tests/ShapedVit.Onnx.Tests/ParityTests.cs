using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>Every test model, exported and run in ONNX Runtime (ORT_ENABLE_ALL, no warnings), gives the model's numbers within 1e-5 at batch 1 and 3.</summary>
public class ParityTests(ITestOutputHelper output)
{
    public const double Tolerance = 1e-5;

    public static readonly Dictionary<string, Func<IVisionTransformer>> Factories = new()
    {
        [nameof(VitTi16)] = () => new VitTi16(seed: 1),
        [nameof(VitS16)] = () => new VitS16(seed: 1),
        [nameof(TutorialVit)] = () => new TutorialVit(seed: 1),
        [nameof(NonSquareVit)] = () => new NonSquareVit(seed: 1),
        [nameof(GrayscaleVit)] = () => new GrayscaleVit(seed: 1),
        [nameof(RegisterVit)] = () => new RegisterVit(seed: 1),
        [nameof(MeanPoolVit)] = () => new MeanPoolVit(seed: 1),
        [nameof(PatchDropVit)] = () => new PatchDropVit(seed: 1),
        [nameof(HeadlessVit)] = () => new HeadlessVit(seed: 1),
        [nameof(MeanPoolWithPrefixVit)] = () => new MeanPoolWithPrefixVit(seed: 1),
        [nameof(BackboneVit)] = () => new BackboneVit(seed: 1),
        [nameof(EveryOptionVit)] = () => new EveryOptionVit(seed: 1),
        [nameof(SinglePatchVit)] = () => new SinglePatchVit(seed: 1),
        [nameof(TorchvisionMicro)] = () => new TorchvisionMicro(seed: 1),
        [nameof(TorchvisionPrelogits)] = () => new TorchvisionPrelogits(seed: 1),
    };

    public static TheoryData<string> Models() => new(Factories.Keys);

    /// <summary>A model with perturbed weights, in evaluation mode.</summary>
    public static IVisionTransformer Create(string name)
    {
        var vit = Factories[name]();
        var module = (nn.Module)vit;
        TestSupport.Perturb(module, seed: 7);
        module.eval();
        return vit;
    }

    [Theory, MemberData(nameof(Models))]
    public void Onnx_runtime_computes_what_the_model_computes(string name)
    {
        using var scope = NewDisposeScope();
        var vit = Create(name);
        using var folder = new TempFolder();
        var result = vit.ExportOnnx(folder.File(name + ".onnx"), new OnnxExportOptions { IncludePooledFeatures = true });
        using var session = Ort.Session(result.Path);
        foreach (long batch in new[] { 1L, 3L })
        {
            var (difference, pooled, magnitude) = Parity.MaxDifference(vit, session, batch, seed: 100 + batch);
            output.WriteLine($"{name} batch {batch}: max |ORT - model| = {difference:E2} ({result.Outputs[0].Name}, max |value| {magnitude:F3}), {pooled:E2} (pooled)");
            Assert.InRange(difference, 0, Tolerance);
            Assert.InRange(pooled, 0, Tolerance);
        }
        ((nn.Module)vit).Dispose();
    }
}
