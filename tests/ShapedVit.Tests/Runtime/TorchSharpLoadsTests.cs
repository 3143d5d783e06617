using ShapedVit.Build;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Tests.Runtime;

public class TorchSharpLoadsTests
{
    [Fact]
    public void A_tensor_operation_runs_in_libtorch()
    {
        using var a = torch.arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var product = a.matmul(a.t());
        Assert.Equal(new long[] { 2, 2 }, product.shape);
        Assert.Equal(new float[] { 5, 14, 14, 50 }, product.data<float>().ToArray());
    }

    [Fact]
    public void The_copied_native_library_is_patched_only_where_the_system_lacks_the_version()
    {
        string library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!OperatingSystem.IsLinux() || !File.Exists(library)) return; // the fix is Linux x64 only
        var need = ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(library)).Single(n => n.Version == "GLIBCXX_3.4.32");
        string? system = ElfVersionPatcher.FindSystemLibStdCxx();
        bool systemHasIt = system is not null && ElfVersionPatcher.DefinesVersion(system, "GLIBCXX_3.4.32");
        Assert.Equal(!systemHasIt, need.Weak);
    }

    [Fact]
    public void Patching_is_idempotent_and_touches_only_the_named_version()
    {
        string original = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(original)) return;
        byte[] elf = File.ReadAllBytes(original);
        var before = ElfVersionPatcher.ReadVersionNeeds(elf);
        // Start from the unpatched state, whatever the build did.
        var copy = (byte[])elf.Clone();
        var versions = new HashSet<string> { "GLIBCXX_3.4.32" };
        ElfVersionPatcher.MakeWeak(copy, versions);
        Assert.Equal(0, ElfVersionPatcher.MakeWeak(copy, versions));
        var after = ElfVersionPatcher.ReadVersionNeeds(copy);
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Equal(before[i].Version, after[i].Version);
            Assert.Equal(before[i].Version == "GLIBCXX_3.4.32" || before[i].Weak, after[i].Weak);
        }
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(new byte[] { 1, 2, 3 }));
    }
}
