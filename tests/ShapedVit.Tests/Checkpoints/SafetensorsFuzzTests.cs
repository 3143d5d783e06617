using ShapedVit.Testing;
using System.Diagnostics;
using System.Text;
using ShapedVit.Checkpoints;
using TorchSharp;
using static ShapedVit.Tests.Checkpoints.CheckpointTestHelpers;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Checkpoints;

/// <summary>Seeded fuzzing: whatever the bytes, only <see cref="CheckpointException"/> escapes, and a failed load changes nothing.</summary>
public class SafetensorsFuzzTests
{
    [Fact]
    public void Every_truncation_of_a_valid_file_is_rejected()
    {
        byte[] valid = SmallValidFile();
        using (var ok = Safetensors.ReadAll(valid)) Assert.Equal(3, ok.Tensors.Count);
        for (int length = 0; length < valid.Length; length++)
        {
            var error = Assert.Throws<CheckpointException>(() => { using var _ = Safetensors.ReadAll(valid.AsMemory(0, length)); });
            Assert.Contains("[", error.Message);
        }
    }

    [Fact]
    public void Single_byte_flips_anywhere_give_a_file_or_a_checkpoint_exception()
    {
        byte[] valid = SmallValidFile();
        var random = new Random(1234);
        int accepted = 0, rejected = 0;
        var rules = new HashSet<CheckpointRule>();
        for (int position = 0; position < valid.Length; position++)
        {
            foreach (byte mask in new[] { (byte)random.Next(1, 256), (byte)0x80, (byte)0x01 })
            {
                var bytes = (byte[])valid.Clone();
                bytes[position] ^= mask;
                if (TryRead(bytes, out var rule)) accepted++;
                else { rejected++; rules.Add(rule); }
            }
        }
        // Both outcomes occur (data flips are valid files, header flips mostly not), and many rules are exercised.
        Assert.True(accepted > 0 && rejected > 0, $"accepted {accepted}, rejected {rejected}");
        Assert.True(rules.Count >= 6, string.Join(", ", rules));
    }

    [Fact]
    public void Random_multi_byte_corruption_of_the_header_only_raises_checkpoint_exceptions()
    {
        byte[] valid = SmallValidFile();
        int headerEnd = 8 + (int)BitConverter.ToInt64(valid, 0);
        var random = new Random(99);
        byte[] interesting = Encoding.ASCII.GetBytes("{}[]\":,-0123456789.eE \\u\0\xff");
        for (int round = 0; round < 3000; round++)
        {
            var bytes = (byte[])valid.Clone();
            int edits = random.Next(1, 5);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(0, headerEnd);
                bytes[at] = random.Next(2) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
            }
            TryRead(bytes, out _);
        }
    }

    public static TheoryData<string, byte[]> HostileFiles()
    {
        var data = new TheoryData<string, byte[]>();
        const string good = """{"fc.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}}""";
        data.Add("header length 0", File("", 0));
        data.Add("7 bytes", new byte[7]);
        data.Add("header length 2^63", File(good, 32, 1UL << 63));
        data.Add("header length larger than the file", File(good, 32, (ulong)good.Length + 33));
        data.Add("duplicate keys", File("""{"fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16));
        data.Add("overlapping offsets", File("""{"fc.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}}""", 24));
        data.Add("gapped offsets", File("""{"fc.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[28,36]}}""", 36));
        data.Add("wrong dtype size", File(good.Replace("\"F32\",\"shape\":[2]", "\"F16\",\"shape\":[2]"), 32));
        data.Add("unknown dtype", File(good.Replace("\"F32\",\"shape\":[2]", "\"Q7\",\"shape\":[2]"), 32));
        data.Add("integer dtype for a float parameter", File(good.Replace("\"F32\",\"shape\":[2]", "\"I32\",\"shape\":[2]"), 32));
        data.Add("non-UTF-8 header", File(Encoding.UTF8.GetBytes(good).Select((b, i) => i == 3 ? (byte)0xC3 : b).ToArray(), 32));
        data.Add("deeply nested JSON", File("{\"fc.weight\":" + new string('[', 50_000) + new string(']', 50_000) + "}"));
        data.Add("huge shape", File(good.Replace("[2,3]", "[1099511627776,1099511627776]"), 32));
        return data;
    }

    [Theory, MemberData(nameof(HostileFiles))]
    public void Hostile_files_raise_a_checkpoint_exception_and_leave_the_model_unchanged(string name, byte[] bytes)
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var model = TinyModel();
        var before = Snapshot(model);
        string path = folder.File("hostile.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<CheckpointException>(() => model.LoadSafetensors(path));
        Assert.False(string.IsNullOrWhiteSpace(error.Message), name);
        AssertUnchanged(model, before);
    }

    [Fact]
    public void Every_truncation_and_byte_flip_of_a_model_checkpoint_fails_cleanly_or_loads()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var model = TinyModel();
        string path = folder.File("tiny.safetensors");
        model.SaveSafetensors(path);
        byte[] valid = System.IO.File.ReadAllBytes(path);
        var random = new Random(7);
        var watch = Stopwatch.StartNew();
        int failures = 0;

        void Attempt(byte[] bytes)
        {
            System.IO.File.WriteAllBytes(path, bytes);
            var before = Snapshot(model);
            try { model.LoadSafetensors(path); }
            catch (CheckpointException)
            {
                failures++;
                AssertUnchanged(model, before);
            }
            foreach (var t in before.Values) t.Dispose();
        }

        for (int length = 0; length < valid.Length; length++) Attempt(valid[..length]);
        Assert.Equal(valid.Length, failures); // every truncation fails
        for (int position = 0; position < valid.Length; position++)
        {
            var bytes = (byte[])valid.Clone();
            bytes[position] ^= (byte)random.Next(1, 256);
            Attempt(bytes);
        }
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Header_byte_flips_of_a_generated_model_checkpoint_never_half_load()
    {
        using var scope = NewDisposeScope();
        using var folder = new TempDirectory();
        using var model = new TorchvisionMicro(seed: 1);
        var before = Snapshot(model);
        string path = folder.File("micro.safetensors");
        using (var donor = Perturbed(new TorchvisionMicro(seed: 2), 2)) donor.SaveSafetensors(path);
        byte[] valid = System.IO.File.ReadAllBytes(path);
        int headerEnd = 8 + (int)BitConverter.ToInt64(valid, 0);
        var random = new Random(11);
        for (int round = 0; round < 150; round++)
        {
            var bytes = (byte[])valid.Clone();
            bytes[random.Next(0, headerEnd)] ^= (byte)random.Next(1, 256);
            System.IO.File.WriteAllBytes(path, bytes);
            try
            {
                model.LoadSafetensors(path);
                // A flip that still loads (say, inside padding or a metadata value) loaded everything: restore for the next round.
                using var noGrad = torch.no_grad();
                foreach (var (key, tensor) in model.state_dict()) tensor.copy_(before[key]);
            }
            catch (CheckpointException)
            {
                AssertUnchanged(model, before);
            }
        }
    }

    private static nn.Module<Tensor, Tensor> TinyModel()
    {
        var model = nn.Sequential(("fc", nn.Linear(3, 2)));
        return Perturbed(model, 5);
    }

    private static bool TryRead(byte[] bytes, out CheckpointRule rule)
    {
        try
        {
            using var file = Safetensors.ReadAll(bytes, ScalarType.Float32);
            rule = default;
            return true;
        }
        catch (CheckpointException e)
        {
            rule = e.Rule;
            return false;
        }
        // Any other exception fails the test where it is raised.
    }
}
