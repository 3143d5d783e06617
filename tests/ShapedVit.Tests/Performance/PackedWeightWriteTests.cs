using System.Runtime.InteropServices;
using ShapedVit.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Performance;

/// <summary>
/// Every public way of changing a weight after it was packed gives the new weight's output at the next inference
/// forward, including writes libtorch's version counter does not see (TorchSharp's <c>bytes</c> setter and
/// <c>data&lt;float&gt;()</c> accessors): a property test over many kinds of write, positions and sizes.
/// </summary>
[Collection(nameof(PackedGemmCollection))]
public class PackedWeightWriteTests
{
    private const float Tolerance = 1e-5f;

    /// <summary>One way of changing a layer's weight; <c>random</c> picks positions and values.</summary>
    public delegate void Write(PackableLinear layer, Random random);

    private static long Element(PackableLinear layer, Random random) => random.NextInt64(layer.weight.numel());

    private static (long Row, long Column) Position(PackableLinear layer, Random random) =>
        (random.NextInt64(layer.OutFeatures), random.NextInt64(layer.InFeatures));

    internal static readonly (string Name, Write Write)[] Writes =
    {
        ("bytes setter, whole weight", (layer, random) =>
        {
            var bytes = layer.weight.bytes.ToArray();
            var values = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
            for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() - 0.5);
            layer.weight.bytes = bytes;
        }),
        ("bytes setter, one element changed", (layer, random) =>
        {
            var bytes = layer.weight.bytes.ToArray();
            MemoryMarshal.Cast<byte, float>(bytes.AsSpan())[(int)Element(layer, random)] += 0.75f;
            layer.weight.bytes = bytes;
        }),
        ("data<float>() accessor, one element", (layer, random) =>
        {
            var data = layer.weight.data<float>();
            var (row, column) = Position(layer, random);
            data[row, column] = data[row, column] + 0.5f;
        }),
        ("data<float>() accessor, two elements swapped", (layer, random) =>
        {
            var data = layer.weight.data<float>();
            var (r1, c1) = Position(layer, random);
            var (r2, c2) = Position(layer, random);
            if (r1 == r2 && c1 == c2) c2 = (c2 + 1) % layer.InFeatures;
            (data[r1, c1], data[r2, c2]) = (data[r2, c2] + 0.25f, data[r1, c1]);
        }),
        ("copy_ under no_grad", (layer, random) =>
        {
            using var noGrad = torch.no_grad();
            using var fresh = torch.randn(layer.weight.shape, generator: new Generator((ulong)random.Next()));
            layer.weight.copy_(fresh);
        }),
        ("mul_ under inference_mode", (layer, random) =>
        {
            using var inference = torch.inference_mode();
            layer.weight.mul_(1.5);
        }),
        ("indexer assignment under no_grad", (layer, random) =>
        {
            using var noGrad = torch.no_grad();
            using var value = torch.tensor((float)random.NextDouble());
            layer.weight[random.NextInt64(layer.weight.shape[0]), random.NextInt64(layer.weight.shape[1])] = value;
        }),
        ("load_state_dict", (layer, random) =>
        {
            using var other = new PackableLinear(layer.InFeatures, layer.OutFeatures, layer.bias is not null);
            layer.load_state_dict(other.state_dict());
        }),
        ("a new Parameter", (layer, random) =>
            layer.weight = new Parameter(torch.randn(layer.weight.shape, generator: new Generator((ulong)random.Next())))),
        ("to(float64) and back to(float32)", (layer, random) =>
        {
            layer.to(ScalarType.Float64);
            layer.to(ScalarType.Float32);
            using var noGrad = torch.no_grad();
            layer.weight.add_(0.125);
        }),
    };

    public static TheoryData<string> WriteNames => new(Writes.Select(w => w.Name));

    /// <summary>The layer's inference output with the copied-weight paths on or off (off drops the layer's copies).</summary>
    internal static Tensor Infer(nn.Module<Tensor, Tensor> layer, Tensor input, bool packed)
    {
        bool was = PackedGemm.Enabled;
        PackedGemm.Enabled = packed;
        try
        {
            using var inference = torch.inference_mode();
            return layer.call(input).clone();
        }
        finally
        {
            PackedGemm.Enabled = was;
        }
    }

    [Theory]
    [MemberData(nameof(WriteNames))]
    public void A_weight_changed_through_any_public_API_is_never_used_stale(string name)
    {
        if (!PackedGemm.IsAvailable) return;
        var write = Writes.Single(w => w.Name == name).Write;
        var random = new Random(name.Length * 7919);
        for (int trial = 0; trial < 6; trial++)
        {
            using var scope = NewDisposeScope();
            torch.manual_seed(100 + trial);
            long inFeatures = 8 + random.Next(120), outFeatures = 8 + random.Next(120);
            using var layer = new PackableLinear(inFeatures, outFeatures, hasBias: trial % 2 == 0);
            layer.eval();
            var input = torch.randn(1 + random.Next(3), 1 + random.Next(20), inFeatures, generator: new Generator((ulong)trial));
            Infer(layer, input, packed: true); // packs
            long before = PackedWeight.PacksMade;
            write(layer, random);
            var got = Infer(layer, input, packed: true);
            var expected = Infer(layer, input, packed: false);
            float difference = (got - expected).abs().max().item<float>();
            Assert.True(difference <= Tolerance, $"{name}, trial {trial}: packed output differs by {difference} from the new weight's");
            Assert.Equal(1, PackedWeight.PacksMade - before); // packed again exactly once
        }
    }

    [Fact]
    public void An_unchanged_weight_is_not_packed_again()
    {
        if (!PackedGemm.IsAvailable) return;
        using var scope = NewDisposeScope();
        using var layer = new PackableLinear(64, 96);
        var input = torch.randn(3, 64);
        Infer(layer, input, packed: true);
        long before = PackedWeight.PacksMade;
        for (int i = 0; i < 5; i++) Infer(layer, input, packed: true);
        _ = layer.weight.bytes; // reading is not writing
        Infer(layer, input, packed: true);
        Assert.Equal(0, PackedWeight.PacksMade - before);
    }
}
