using System;
using System.Text;

namespace ShapedVit.Generators
{
    /// <summary>Writes source text with four-space indentation and shape comments aligned at a fixed column.</summary>
    internal sealed class IndentedWriter
    {
        private readonly StringBuilder text = new StringBuilder();
        private int depth;
        private (string Prefix, string Replacement)[] shortenings = Array.Empty<(string, string)>();

        /// <summary>From now on, writes each fully qualified prefix as its replacement (the file's using directives make them mean the same).</summary>
        public void Shorten((string Prefix, string Replacement)[] prefixes) => shortenings = prefixes;

        public void Indent() => depth++;

        public void Unindent() => depth--;

        public void Line() => text.Append('\n');

        public void Line(string line)
        {
            foreach (var (prefix, replacement) in shortenings) line = line.Replace(prefix, replacement);
            if (line.Length > 0) text.Append(' ', depth * 4).Append(line);
            text.Append('\n');
        }

        /// <summary>Writes code with a trailing comment aligned at a fixed column (shape traces line up down the method).</summary>
        public void Line(string code, string comment, int column = 80)
        {
            foreach (var (prefix, replacement) in shortenings) code = code.Replace(prefix, replacement);
            int used = depth * 4 + code.Length;
            Line(used >= column ? code + " // " + comment : code + new string(' ', column - used) + "// " + comment);
        }

        /// <summary>Opens a brace block: writes the header and "{", then indents.</summary>
        public void Open(string header)
        {
            Line(header);
            Line("{");
            Indent();
        }

        public void Close(string suffix = "")
        {
            Unindent();
            Line("}" + suffix);
        }

        public override string ToString() => text.ToString();
    }
}
