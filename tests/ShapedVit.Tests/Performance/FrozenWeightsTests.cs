using ShapedVit.Inference;
using ShapedVit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Performance;

/// <summary>
/// <see cref="FrozenWeights"/>: a frozen weight's copy is not read again before each use (no checksum), every write the
/// version counter counts is still seen at the next forward, and writes that bypass it are seen after
/// <see cref="FrozenWeights.Refresh{TModule}"/> or <see cref="FrozenWeights.Thaw{TModule}"/>, as documented.
/// </summary>
[Collection(nameof(PackedGemmCollection))]
public class FrozenWeightsTests
{
    private const float Tolerance = 1e-5f;

    private static Tensor Infer(nn.Module<Tensor, Tensor> layer, Tensor input, bool packed = true) => PackedWeightWriteTests.Infer(layer, input, packed);

    private static float Difference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    private static bool BypassesTheVersionCounter(string write) => write.StartsWith("bytes setter", StringComparison.Ordinal) || write.StartsWith("data<float>()", StringComparison.Ordinal);

    public static TheoryData<string> CountedWrites => new(PackedWeightWriteTests.Writes.Select(w => w.Name).Where(name => !BypassesTheVersionCounter(name)));

    [Theory]
    [MemberData(nameof(CountedWrites))]
    public void A_frozen_weight_still_sees_every_write_the_version_counter_counts(string name)
    {
        if (!PackedGemm.IsAvailable) return;
        var write = PackedWeightWriteTests.Writes.Single(w => w.Name == name).Write;
        var random = new Random(name.Length * 104729);
        for (int trial = 0; trial < 4; trial++)
        {
            using var scope = NewDisposeScope();
            torch.manual_seed(200 + trial);
            using var layer = FrozenWeights.Freeze(new PackableLinear(16 + random.Next(100), 16 + random.Next(100), hasBias: trial % 2 == 0));
            layer.eval();
            var input = torch.randn(2, 1 + random.Next(20), layer.InFeatures, generator: new Generator((ulong)trial));
            Infer(layer, input);
            Infer(layer, input); // the copy is now checked at this freeze, and no longer read before use
            write(layer, random);
            FrozenWeights.Freeze(layer); // a new Parameter is not frozen yet; freezing again changes nothing for the others
            float difference = Difference(Infer(layer, input), Infer(layer, input, packed: false));
            Assert.True(difference <= Tolerance, $"{name}, trial {trial}: frozen output differs by {difference} from the new weight's");
        }
    }

    [Fact]
    public void A_frozen_weight_is_checksummed_once_after_freezing_then_not_before_each_use()
    {
        if (!PackedGemm.IsAvailable) return;
        using var scope = NewDisposeScope();
        using var layer = new PackableLinear(96, 128);
        var input = torch.randn(3, 96);
        Infer(layer, input); // packed before freezing: one checksum, with the copy
        long before = PackedWeight.ChecksumsComputed;
        Infer(layer, input);
        Assert.Equal(1, PackedWeight.ChecksumsComputed - before); // not frozen: checked before each use

        FrozenWeights.Freeze(layer);
        Assert.True(FrozenWeights.IsFrozen(layer));
        before = PackedWeight.ChecksumsComputed;
        for (int i = 0; i < 5; i++) Infer(layer, input);
        Assert.Equal(1, PackedWeight.ChecksumsComputed - before); // checked once at this freeze, then trusted

        FrozenWeights.Thaw(layer);
        Assert.False(FrozenWeights.IsFrozen(layer));
        before = PackedWeight.ChecksumsComputed;
        for (int i = 0; i < 3; i++) Infer(layer, input);
        Assert.Equal(3, PackedWeight.ChecksumsComputed - before);
    }

    [Fact]
    public void A_raw_write_to_a_frozen_weight_is_seen_after_Refresh_as_documented()
    {
        if (!PackedGemm.IsAvailable) return;
        using var scope = NewDisposeScope();
        torch.manual_seed(7);
        using var layer = FrozenWeights.Freeze(new PackableLinear(64, 80));
        var input = torch.randn(4, 64);
        var old = Infer(layer, input);
        var data = layer.weight.data<float>();
        data[3, 5] = data[3, 5] + 0.5f; // bypasses the version counter
        Tensor expected;
        using (var inference = torch.inference_mode())
            expected = nn.functional.linear(input, layer.weight, layer.bias); // libtorch's own product; the layer's copy is left alone
        Assert.True(Difference(expected, old) > 0.1f);
        Assert.Equal(0f, Difference(Infer(layer, input), old)); // frozen: the documented stale result, until Refresh
        long packs = PackedWeight.PacksMade;
        FrozenWeights.Refresh(layer);
        Assert.True(Difference(Infer(layer, input), expected) <= Tolerance);
        Assert.Equal(1, PackedWeight.PacksMade - packs);
    }

    [Fact]
    public void A_weight_thawed_written_and_frozen_again_is_checked_again()
    {
        if (!PackedGemm.IsAvailable) return;
        using var scope = NewDisposeScope();
        torch.manual_seed(8);
        using var layer = FrozenWeights.Freeze(new PackableLinear(48, 40));
        var input = torch.randn(5, 48);
        Infer(layer, input);
        Infer(layer, input);
        FrozenWeights.Thaw(layer);
        var bytes = layer.weight.bytes.ToArray();
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan())[17] += 1f;
        layer.weight.bytes = bytes; // written while thawed, with no forward before freezing again
        FrozenWeights.Freeze(layer);
        float difference = Difference(Infer(layer, input), Infer(layer, input, packed: false));
        Assert.True(difference <= Tolerance, $"frozen again after a thawed raw write, the output differs by {difference}");
    }

    [Fact]
    public void A_frozen_model_gives_the_same_output_in_float32_and_int8_and_skips_the_checksums()
    {
        if (!PackedGemm.IsAvailable) return;
        using var scope = NewDisposeScope();
        torch.manual_seed(9);
        using var block = new EncoderBlock(64, 4, 128);
        block.eval();
        var tokens = torch.randn(2, 17, 64);
        var plain = Infer(block, tokens);
        FrozenWeights.Freeze(block);
        Assert.Equal(0f, Difference(Infer(block, tokens), plain));
        long before = PackedWeight.ChecksumsComputed;
        Assert.Equal(0f, Difference(Infer(block, tokens), plain));
        Assert.Equal(0, PackedWeight.ChecksumsComputed - before);

        Int8Inference.Quantize(block);
        var int8 = Infer(block, tokens);
        Infer(block, tokens);
        before = PackedWeight.ChecksumsComputed;
        Assert.Equal(0f, Difference(Infer(block, tokens), int8));
        Assert.Equal(0, PackedWeight.ChecksumsComputed - before);
        Int8Inference.Dequantize(block);
    }
}
