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
}
