namespace ShapedVit.Generators
{
    /// <summary>A type that contains the model, outermost first, as it must be re-declared around the generated part.</summary>
    internal sealed record ContainingType(string Keyword, string Name);

    /// <summary>One [ExpectShape]: the stage as declared (possibly out of range) and its dimensions.</summary>
    internal sealed record Expectation(int Stage, EquatableArray<long> Dims);

    /// <summary>
    /// The class's primary constructor (refused, SVIT0021): a class with one cannot call TorchSharp's Module constructor, and
    /// any constructor the generated part adds must chain to it.
    /// </summary>
    /// <param name="ParameterTypes">Its parameter types, fully qualified.</param>
    /// <param name="Chainable">Whether a generated constructor can chain to it with default arguments (no ref or out parameter, no type in error, not a (long?) of its own).</param>
    /// <param name="UserMembers">Which of the stand-ins the surface would add (Dispose, eval, train) the class already declares.</param>
    internal sealed record PrimaryConstructor(EquatableArray<string> ParameterTypes, bool Chainable, EquatableArray<string> UserMembers);

    /// <summary>
    /// A problem the parser found in the type or its attributes (the shape problems come from <see cref="VitGeometry.Check"/>).
    /// Values only: <see cref="ShapeDiagnostics"/> turns it into a diagnostic at the location of its subject.
    /// </summary>
    /// <param name="Id">The diagnostic ID (a <see cref="DiagnosticDescriptors"/> ID).</param>
    /// <param name="Subject">Where it is reported.</param>
    /// <param name="Index">For subjects of which there are several (attributes, members, containing types): which one.</param>
    /// <param name="Arguments">The message arguments.</param>
    internal sealed record DeclarationProblem(string Id, Subject Subject, int Index, EquatableArray<string> Arguments);

    /// <summary>
    /// The one model of a declaration, from the parser to the emitter: value-equal, with no symbol, syntax node, location
    /// or compilation in it, so the incremental pipeline compares it by content. The analyzer reports diagnostics from the
    /// same value (plus the locations the parser kept beside it); the generator emits from it.
    /// </summary>
    internal sealed record VitDeclaration(
        string? Namespace,
        string TypeName,
        EquatableArray<ContainingType> ContainingTypes,
        VitSpec Spec,
        EquatableArray<Expectation> Expectations,
        EquatableArray<DeclarationProblem> Problems,
        bool TypeCanBeExtended,
        bool HasUserBaseClass,
        EquatableArray<string> UserMembers,
        PrimaryConstructor? PrimaryConstructor = null,
        bool IsAbstract = false,
        bool ShortNames = false)
    {
        /// <summary>{Namespace}.{Containing}.{Type}: the hint name before case-insensitive de-duplication.</summary>
        public string FullName
        {
            get
            {
                var parts = new System.Collections.Generic.List<string>();
                if (Namespace is not null) parts.Add(Namespace);
                foreach (var type in ContainingTypes) parts.Add(type.Name);
                parts.Add(TypeName);
                return string.Join(".", parts).Replace("@", ""); // '@' (keyword names) is not allowed in a hint name
            }
        }

        /// <summary>Any error among the parser's problems (warnings and infos never stop generation).</summary>
        public bool HasParseErrors
        {
            get
            {
                foreach (var problem in Problems)
                    if (DiagnosticDescriptors.IsError(problem.Id)) return true;
                return false;
            }
        }
    }
}
