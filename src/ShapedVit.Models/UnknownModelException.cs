namespace ShapedVit.Models;

/// <summary>A model name the catalogue does not know, with the nearest names it does; the message is one line.</summary>
public sealed class UnknownModelException : ArgumentException
{
    internal UnknownModelException(string name, IReadOnlyList<string> nearest, string message) : base(message)
    {
        Name = name;
        Nearest = nearest;
    }

    /// <summary>The name as given.</summary>
    public string Name { get; }

    /// <summary>The nearest known names, nearest first.</summary>
    public IReadOnlyList<string> Nearest { get; }
}
