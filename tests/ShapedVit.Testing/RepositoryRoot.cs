namespace ShapedVit.Testing;

/// <summary>The repository's root folder, found from the test binaries' folder upwards.</summary>
public static class RepositoryRoot
{
    /// <summary>The folder holding ShapedVit.sln.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "ShapedVit.sln"))) return directory.FullName;
        throw new InvalidOperationException("ShapedVit.sln not found above " + AppContext.BaseDirectory);
    }
}
