using System;
using System.Text;

namespace ShapedVit.Generators
{
    /// <summary>Writes source text with four-space indentation and shape comments aligned at a fixed column.</summary>
    internal sealed class IndentedWriter
    {
        private readonly StringBuilder text = new StringBuilder();
        private int depth;

        public void Indent() => depth++;

        public void Unindent() => depth--;

        public void Line() => text.Append('\n');

        public void Line(string line)
        {
            if (line.Length > 0) text.Append(' ', depth * 4).Append(line);
            text.Append('\n');
        }

        /// <summary>Writes code with a trailing comment aligned at a fixed column (shape traces line up down the method).</summary>
        public void Line(string code, string comment, int column = 80)
        {
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
