namespace ShapedVit;

/// <summary>
/// The two ways a user turns off something the library sets by itself (<see cref="CpuAllocator"/>,
/// <see cref="PackedGemm"/>): a runtime configuration switch set to true, or an environment variable set to 1 or true.
/// </summary>
internal static class OffSwitch
{
    /// <summary>Whether the runtime configuration switch <paramref name="name"/> is set to true.</summary>
    internal static bool IsSet(string name) => AppContext.TryGetSwitch(name, out bool on) && on;

    /// <summary>Why the feature is off ("switched off by ..."), or null when neither the switch nor the variable says so.</summary>
    internal static string? Reason(string switchName, bool switchSet, string variable, Func<string, string?> environment)
    {
        if (switchSet) return $"switched off by {switchName}";
        if (environment(variable) is "1" or "true" or "TRUE" or "True") return $"switched off by {variable}";
        return null;
    }
}
