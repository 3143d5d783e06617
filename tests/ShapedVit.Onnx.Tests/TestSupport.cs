using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Onnx.Tests;

/// <summary>A temporary folder deleted with everything in it.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "shapedvit-onnx-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string[] Files() => Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

public static class TestSupport
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "torchvision", name);

    /// <summary>
    /// Moves the parameters that initialisation leaves uniform away from it (zero biases, unit LayerNorm scales and
    /// LayerScale's tiny gamma would hide a dropped bias, scale or LayerScale), reproducibly; the randomly initialised
    /// weight matrices stay as they are, so activations keep their usual size.
    /// </summary>
    public static void Perturb(nn.Module model, long seed)
    {
        using var noGrad = torch.no_grad();
        using var generator = new Generator((ulong)seed);
        foreach (var (name, parameter) in model.named_parameters())
        {
            bool uniform = name.EndsWith(".bias", StringComparison.Ordinal) || name.EndsWith(".gamma", StringComparison.Ordinal) ||
                           name.Contains("norm", StringComparison.Ordinal);
            if (!uniform) continue;
            using var noise = torch.randn(parameter.shape, generator: generator);
            using var scaled = noise.mul(0.1);
            parameter.add_(scaled);
        }
    }

    public static Tensor Images(long batch, long channels, long height, long width, long seed)
    {
        using var generator = new Generator((ulong)seed);
        return torch.randn([batch, channels, height, width], generator: generator);
    }

    public static float[] Values(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.detach().cpu().contiguous().data<float>().ToArray();
    }

    public static double MaxAbsDiff(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)expected[i] - actual[i]);
            if (double.IsNaN(d)) return double.PositiveInfinity;
            max = Math.Max(max, d);
        }
        return max;
    }
}
