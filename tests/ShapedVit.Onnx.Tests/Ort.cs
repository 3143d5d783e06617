using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ShapedVit.Onnx.Tests;

/// <summary>
/// ONNX Runtime for the tests: one environment whose log (warning level and above) is captured per session, sessions
/// with every graph optimisation on (ORT_ENABLE_ALL), and runs that return flat float arrays.
/// </summary>
public static class Ort
{
    private static readonly ConcurrentQueue<(string LogId, OrtLoggingLevel Severity, string Message)> log = new();
    private static int sessions;

    static Ort()
    {
        var options = new EnvironmentCreationOptions
        {
            logId = "shapedvit-onnx-tests",
            logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
            loggingFunction = (_, severity, category, logId, codeLocation, message) =>
                log.Enqueue((logId, severity, $"[{category}] {message} ({codeLocation})")),
        };
        OrtEnv.CreateInstanceWithOptions(ref options);
    }

    /// <summary>Creates the environment, if nothing has yet: code that opens sessions without these options (the sample app) would create a default one first.</summary>
    public static void EnsureEnvironment() { }

    /// <summary>Options for one session: ORT_ENABLE_ALL, warnings logged under a fresh log id.</summary>
    public static SessionOptions Options(out string logId, string? optimizedModelPath = null)
    {
        logId = $"session-{Interlocked.Increment(ref sessions)}";
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogId = logId,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
        };
        if (optimizedModelPath is not null) options.OptimizedModelFilePath = optimizedModelPath;
        return options;
    }

    /// <summary>
    /// A session on the file with every optimisation on; fails if ORT logged a warning or an error while creating it
    /// (except, when the optimised graph is saved for inspection, ORT's notice that it may be hardware specific).
    /// </summary>
    public static InferenceSession Session(string path, string? optimizedModelPath = null)
    {
        using var options = Options(out string logId, optimizedModelPath);
        var session = new InferenceSession(path, options);
        AssertNoWarnings(logId, optimizedModelPath is null ? null : "Serializing optimized model with Graph Optimization level greater than ORT_ENABLE_EXTENDED");
        return session;
    }

    public static IReadOnlyList<string> Warnings(string logId) =>
        log.Where(entry => entry.LogId == logId && entry.Severity >= OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING).Select(entry => entry.Message).ToList();

    public static void AssertNoWarnings(string logId, string? allowed = null)
    {
        var warnings = Warnings(logId).Where(w => allowed is null || !w.Contains(allowed, StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Count == 0, "ONNX Runtime logged: " + string.Join(" | ", warnings));
    }

    /// <summary>Runs the session on [B,C,H,W] images; every output flattened, by name.</summary>
    public static Dictionary<string, float[]> Run(InferenceSession session, float[] images, long[] shape)
    {
        var input = new DenseTensor<float>(images, shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("images", input)]);
        return results.ToDictionary(r => r.Name, r => r.AsEnumerable<float>().ToArray());
    }
}
