using System.Globalization;
using ShapedVit.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ShapedVit.Benchmarks;

/// <summary>ViT-L/16 (the paper's Large at 224 px), for the checkpoint-memory measurement.</summary>
[VisionTransformer(Preset = VitPreset.Large)]
public partial class VitL16 { }

/// <summary>
/// Peak resident memory of loading a float16 ViT-L/16 safetensors file into a float32 model, and of saving the float32
/// model as float16, each in its own process (the kernel's VmHWM, the high-water mark, is per process):
/// <c>checkpoint-memory save FILE</c> then <c>checkpoint-memory load FILE</c>. Prints the file size, the model's float32
/// size, the peak RSS before and after the operation.
/// </summary>
public static class CheckpointMemory
{
    public static int Run(string[] args)
    {
        if (args.Length != 2 || args[0] is not ("save" or "load"))
            throw new ArgumentException("Usage: checkpoint-memory save|load FILE");
        string path = args[1];
        using var model = new VitL16(seed: 0);
        long modelBytes = model.parameters().Sum(p => p.NumberOfElements * p.element_size());
        long before = PeakRss(), current = Rss();
        if (args[0] == "save") Safetensors.Write(path, model.state_dict(), new Dictionary<string, string> { ["format"] = "pt" }, ScalarType.Float16);
        else model.LoadSafetensors(path);
        long after = PeakRss();
        long file = new FileInfo(path).Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"checkpoint-memory {args[0]}: ViT-L/16, file {Mb(file)} (float16), model {Mb(modelBytes)} (float32); RSS before {Mb(current)}, peak before {Mb(before)}, peak after {Mb(after)}: " +
            $"{Mb(after - current)} above the model in memory, {(double)after / file:F2}x the file"));
        return 0;
    }

    private static string Mb(long bytes) => $"{bytes / 1e6:F0} MB";

    private static long PeakRss() => StatusKb("VmHWM:") * 1024;
    private static long Rss() => StatusKb("VmRSS:") * 1024;

    private static long StatusKb(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return 0;
    }
}
