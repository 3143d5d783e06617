using System.Globalization;
using System.Text;

namespace ShapedVit.Checkpoints;

/// <summary>
/// Text that came from a file (class labels, metadata values, tensor names, folder names) made safe to print: one line,
/// no terminal control sequences, bounded length. Checkpoint errors echo such text only through it.
/// </summary>
public static class UntrustedText
{
    /// <summary>How many characters <see cref="Display"/> keeps unless told otherwise.</summary>
    public const int DefaultMaxLength = 120;

    /// <summary>
    /// <paramref name="text"/> as it may be printed: control characters (terminal escape codes, newlines, tabs), Unicode
    /// format characters (bidirectional overrides, zero-width characters), line and paragraph separators and unpaired
    /// surrogates are shown as escapes (<c>\e</c>, <c>\n</c>, <c>\x07</c>, <c>\u202E</c>); text longer than
    /// <paramref name="maxLength"/> characters is cut there and ends with "... (N more characters)". Null shows as "(none)".
    /// </summary>
    /// <param name="text">The untrusted text.</param>
    /// <param name="maxLength">The most characters of <paramref name="text"/> shown (at least 1).</param>
    public static string Display(string? text, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (text is null) return "(none)";
        var result = new StringBuilder(Math.Min(text.Length, maxLength) + 16);
        int shown = 0, i = 0;
        for (; i < text.Length && shown < maxLength; i++, shown++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                result.Append(c).Append(text[++i]);
                continue;
            }
            string? escape = c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\u001B' => "\\e",
                _ when c < ' ' || (c >= '\u007F' && c <= '\u009F') => "\\x" + ((int)c).ToString("X2", CultureInfo.InvariantCulture),
                _ when char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format
                       or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                    => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
                _ => null,
            };
            if (escape is null) result.Append(c);
            else result.Append(escape);
        }
        if (i < text.Length)
            result.Append(CultureInfo.InvariantCulture, $"... ({text.Length - i:N0} more characters)");
        return result.ToString();
    }
}
