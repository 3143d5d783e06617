using System.Text;
using ShapedVit.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Checkpoints;

/// <summary>Hand-made safetensors bytes, temporary folders and model snapshots for the checkpoint tests.</summary>
internal static class CheckpointTestHelpers
{
    /// <summary>8-byte little-endian length (the header's own unless <paramref name="declaredLength"/>), header bytes, data.</summary>
    public static byte[] File(byte[] header, int dataBytes = 0, ulong? declaredLength = null)
    {
        var bytes = new byte[8 + header.Length + dataBytes];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        for (int i = 0; i < dataBytes; i++) bytes[8 + header.Length + i] = (byte)(i * 37 + 11);
        return bytes;
    }

    public static byte[] File(string headerJson, int dataBytes = 0, ulong? declaredLength = null) =>
        File(Encoding.UTF8.GetBytes(headerJson), dataBytes, declaredLength);

    /// <summary>Reads from memory, expecting a <see cref="CheckpointException"/> of <paramref name="rule"/> that names <paramref name="tensor"/>.</summary>
    public static CheckpointException AssertRejected(byte[] file, CheckpointRule rule, string? tensor = null)
    {
        var error = Assert.Throws<CheckpointException>(() => { using var _ = Safetensors.ReadAll(file); });
        Assert.Equal(rule, error.Rule);
        Assert.Contains($"[{rule}]", error.Message);
        if (tensor is not null)
        {
            Assert.Equal(tensor, error.TensorName);
            Assert.Contains($"'{tensor}'", error.Message);
        }
        return error;
    }

    /// <summary>A valid small file: three tensors of three dtypes and metadata.</summary>
    public static byte[] SmallValidFile()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["weight"] = torch.arange(6, dtype: ScalarType.Float32).reshape(2, 3),
            ["half"] = torch.tensor(new float[] { 0.5f, -1, 2, 3 }).to(ScalarType.Float16),
            ["steps"] = torch.tensor(new long[] { 42 }),
        };
        using var stream = new MemoryStream();
        Safetensors.WriteTo(stream, tensors, new Dictionary<string, string> { ["epoch"] = "3" });
        return stream.ToArray();
    }

    /// <summary>Copies of every state_dict tensor, to prove later that a failed load changed nothing.</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());

    public static void AssertUnchanged(nn.Module model, Dictionary<string, Tensor> snapshot)
    {
        var now = model.state_dict();
        Assert.Equal(snapshot.Keys.OrderBy(k => k, StringComparer.Ordinal), now.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (key, before) in snapshot)
            Assert.True(BitEqual(before, now[key]), $"{key} changed although the load failed.");
    }

    /// <summary>
    /// Adds seeded noise to every parameter: timm's initialisation leaves LayerNorms at 1/0 and biases at 0 in every model,
    /// so without it a loader that skipped those tensors would go unnoticed.
    /// </summary>
    public static T Perturbed<T>(T model, ulong seed) where T : nn.Module
    {
        using var noGrad = torch.no_grad();
        using var generator = new Generator(seed + 1000);
        foreach (var (_, parameter) in model.named_parameters())
        {
            using var noise = torch.randn(parameter.shape, generator: generator);
            parameter.add_(noise.mul_(0.05));
        }
        return model;
    }

    /// <summary>Same dtype, same shape, same bytes (so NaN equals NaN and -0 differs from 0).</summary>
    public static bool BitEqual(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape)) return false;
        using var ca = a.detach().cpu().contiguous();
        using var cb = b.detach().cpu().contiguous();
        return ca.bytes.SequenceEqual(cb.bytes);
    }

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        using var diff = (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max();
        return diff.item<double>();
    }
}
