using TorchSharp;

namespace ShapedVit;

/// <summary>Picks the device a model runs on: CUDA when asked for and present, else CPU, and says which.</summary>
public static class Devices
{
    /// <summary>
    /// Resolves a user's choice ("cpu", "cuda", "cuda:1" or "auto"). "auto" takes CUDA when the CUDA build of TorchSharp
    /// is in use and a GPU is visible; "cuda" on a machine without one falls back to CPU and says so in <paramref name="reason"/>.
    /// </summary>
    public static torch.Device Resolve(string? requested, out string reason)
    {
        string choice = string.IsNullOrWhiteSpace(requested) ? "auto" : requested.Trim().ToLowerInvariant();
        bool cudaAvailable = torch.cuda.is_available();
        if (choice == "cpu")
        {
            reason = "cpu (asked for)";
            return torch.CPU;
        }
        if (choice == "auto" || choice.StartsWith("cuda", System.StringComparison.Ordinal))
        {
            if (cudaAvailable)
            {
                var device = choice == "auto" ? torch.CUDA : torch.device(choice);
                reason = $"{device} ({torch.cuda.device_count()} CUDA device(s) visible)";
                return device;
            }
            reason = choice == "auto"
                ? "cpu (no CUDA device visible)"
                : "cpu (CUDA was asked for, but no CUDA device is visible: build with -p:ShapedVitBackend=cuda on a machine with a GPU)";
            return torch.CPU;
        }
        throw new System.ArgumentException($"Unknown device '{requested}'. Use cpu, cuda, cuda:N or auto.", nameof(requested));
    }

    /// <summary>
    /// Sets libtorch's CPU thread count to <paramref name="threads"/> (0: leave libtorch's default, one per core) and returns
    /// the count in effect. The call is skipped when the count is already in effect: with libtorch 2.10 (OpenMP), calling
    /// <c>set_num_threads</c> at all, even with the count it already uses, made training slower (docs/benchmarks.md,
    /// "Threads").
    /// </summary>
    public static int SetCpuThreads(int threads)
    {
        if (threads < 0) throw new System.ArgumentOutOfRangeException(nameof(threads), threads, "Thread count must not be negative.");
        if (threads > 0 && threads != torch.get_num_threads()) torch.set_num_threads(threads);
        return torch.get_num_threads();
    }
}
