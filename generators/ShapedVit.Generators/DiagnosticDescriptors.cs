using Microsoft.CodeAnalysis;

namespace ShapedVit.Generators
{
    /// <summary>Every diagnostic ShapedVit reports. Each ID has a help page in docs/diagnostics/{ID}.md.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "ShapedVit";
        private const string HelpRoot = "https://github.com/ShapedVit/ShapedVit/blob/main/docs/diagnostics/";

        private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity, string description,
                                                   params string[] tags) =>
            new DiagnosticDescriptor(id, title, message, Category, severity, isEnabledByDefault: true, description: description,
                                     helpLinkUri: HelpRoot + id + ".md", customTags: tags);

        public static readonly DiagnosticDescriptor ImageNotDivisibleByPatch = Create(
            "SVIT0001", "Image size is not divisible by the patch size",
            "Image {0} {1} is not divisible by patch {0} {2}: use a patch {0} that divides {1} (nearest: {3}) or an image {0} that is a multiple of {2} ({4})",
            DiagnosticSeverity.Error, "Patches tile the image without overlap or padding, so each image axis must be a whole number of patches.");

        public static readonly DiagnosticDescriptor EmbedNotDivisibleByHeads = Create(
            "SVIT0002", "Embed dimension is not divisible by the head count",
            "Embed dimension {0} is not divisible by {1} heads: use a head count that divides {0} (nearest: {2})",
            DiagnosticSeverity.Error, "Multi-head attention splits the embedding into equal slices, one per head.");

        public static readonly DiagnosticDescriptor NonPositiveSize = Create(
            "SVIT0003", "Size must be positive",
            "{0} must be {1}, but is {2}",
            DiagnosticSeverity.Error, "Every dimension of the network must be a positive number (options such as NumClasses may be 0).");

        public static readonly DiagnosticDescriptor NotPartial = Create(
            "SVIT0004", "Vision Transformer class must be partial",
            "'{0}' must be declared partial so ShapedVit can generate its members: add the 'partial' modifier",
            DiagnosticSeverity.Error, "The generator adds the module's fields, constructor and forward pass to the declared class.");

        public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Create(
            "SVIT0005", "Containing type must be partial",
            "'{0}' contains the Vision Transformer '{1}' and must be declared partial too: add the 'partial' modifier to '{0}'",
            DiagnosticSeverity.Error, "A generated nested type is declared inside its containing types, which must then be partial.");

        public static readonly DiagnosticDescriptor GenericClass = Create(
            "SVIT0006", "Vision Transformer class cannot be generic",
            "'{0}' is generic; a Vision Transformer's shapes are fixed at compile time: remove the type parameters",
            DiagnosticSeverity.Error, "Generated code fixes every shape as a constant, which a type parameter cannot take part in.");

        public static readonly DiagnosticDescriptor StaticClass = Create(
            "SVIT0007", "Vision Transformer class cannot be static",
            "'{0}' is static, but a Vision Transformer is a module you create instances of: remove the 'static' modifier",
            DiagnosticSeverity.Error, "The generated class derives from TorchSharp's Module and has instance state.");

        public static readonly DiagnosticDescriptor MissingAttribute = Create(
            "SVIT0008", "Required attribute is missing",
            "'{0}' has no [{1}] attribute and no Preset: add {2} or set Preset on [VisionTransformer]",
            DiagnosticSeverity.Error, "Without a preset, Image, Patch, Embed, Depth and Heads must each be stated.");

        public static readonly DiagnosticDescriptor DuplicateAttribute = Create(
            "SVIT0009", "Attribute applied more than once",
            "[{0}] is applied more than once to '{1}' ({2} and {3}): keep one",
            DiagnosticSeverity.Error, "Each size of the network has one value.");

        public static readonly DiagnosticDescriptor ClassTokenPoolingWithoutClassToken = Create(
            "SVIT0010", "Class-token pooling needs a class token",
            "Pooling.ClassToken pools the class token, but ClassToken = false: set ClassToken = true or use Pooling = Pooling.Mean",
            DiagnosticSeverity.Error, "Class-token pooling reads the class token after the final norm.");

        public static readonly DiagnosticDescriptor ExpectedShapeMismatch = Create(
            "SVIT0011", "Expected shape differs from the proven shape",
            "Expected {0} shape {1}, but the proven shape is {2}{3}: change the expectation to {2}",
            DiagnosticSeverity.Error, "[ExpectShape] states a shape the author relies on; the generator proves the real one.");

        public static readonly DiagnosticDescriptor HeadDimNotMultipleOf8 = Create(
            "SVIT0012", "Head dimension is not a multiple of 8",
            "Head dimension {0} ({1} / {2} heads) is not a multiple of 8, which makes attention kernels slower: {3}",
            DiagnosticSeverity.Warning, "Fused attention kernels and vectorised matrix multiplies work on multiples of 8 elements.");

        public static readonly DiagnosticDescriptor ProvenTrace = Create(
            "SVIT0013", "Proven shape trace",
            "'{0}': {1}; {2} parameters, {3} GMACs per image",
            DiagnosticSeverity.Info, "The shapes the generator proved for the declared network, per image.");

        public static readonly DiagnosticDescriptor UnsupportedType = Create(
            "SVIT0014", "Unsupported kind of type",
            "'{0}' is {1}; a Vision Transformer must be a non-file-local partial class: {2}",
            DiagnosticSeverity.Error, "The generator emits a partial class deriving from TorchSharp's Module.");

        public static readonly DiagnosticDescriptor TooLarge = Create(
            "SVIT0015", "Network is too large",
            "{0} is too large ({1}): the network's sizes must keep every count of elements, parameters and MACs within a 64-bit integer and each size at most {2}",
            DiagnosticSeverity.Error, "Shapes are proven with 64-bit arithmetic; larger sizes cannot be represented by tensors either.");

        public static readonly DiagnosticDescriptor InvalidOption = Create(
            "SVIT0016", "Invalid option value",
            "{0} must be {1}, but is {2}",
            DiagnosticSeverity.Error, "Rates are probabilities in [0, 1); epsilons are positive; enums take their named values.");

        public static readonly DiagnosticDescriptor UnreadableAttribute = Create(
            "SVIT0017", "Attribute arguments cannot be read",
            "The arguments of [{0}] on '{1}' cannot be read: fix the C# errors in this attribute",
            DiagnosticSeverity.Error, "The generator needs constant arguments to prove shapes; nothing is generated until they compile.");

        public static readonly DiagnosticDescriptor UnknownStage = Create(
            "SVIT0018", "Stage does not exist in this network",
            "{0}",
            DiagnosticSeverity.Error, "[ExpectShape] names a stage this network does not have, or a shape of the wrong rank.");

        public static readonly DiagnosticDescriptor GeneratedMemberConflict = Create(
            "SVIT0019", "Member conflicts with a generated member",
            "'{0}' declares {1}, which ShapedVit generates for every Vision Transformer: {2}",
            DiagnosticSeverity.Error, "The generated part declares constants, submodule fields, forward methods and a (long? seed) constructor; a user member of the same name would be declared twice.");

        public static readonly DiagnosticDescriptor UserBaseClass = Create(
            "SVIT0020", "Vision Transformer class cannot have a base class",
            "'{0}' derives from '{1}', but a generated Vision Transformer derives from TorchSharp's Module<Tensor, Tensor>: remove the base class (interfaces are fine)",
            DiagnosticSeverity.Error, "A class has one base class, and the generated part supplies it.");

        public static readonly DiagnosticDescriptor PrimaryConstructor = Create(
            "SVIT0021", "Vision Transformer class cannot have a primary constructor",
            "'{0}' has a primary constructor, but ShapedVit generates the constructor (long? seed) that builds the module: remove the parameter list and keep what it initialises in fields",
            DiagnosticSeverity.Error, "Every other constructor of a class with a primary constructor must call it, which the generated constructor cannot do.");

        public static readonly DiagnosticDescriptor DistillationTokenWithoutClassToken = Create(
            "SVIT0022", "Distillation token needs a class token",
            "DistillationToken = true adds DeiT's distillation token after the class token, but ClassToken = false: {0}",
            DiagnosticSeverity.Error, "DeiT's distillation token follows the class token, and the two heads read the two tokens (timm's VisionTransformerDistilled).");

        public static readonly DiagnosticDescriptor DistillationTokenWithoutClassTokenPooling = Create(
            "SVIT0023", "Distillation token needs class-token pooling",
            "DistillationToken = true averages the heads of the class and distillation tokens, but Pooling is {0}: remove DistillationToken or use Pooling.ClassToken",
            DiagnosticSeverity.Error, "timm's VisionTransformerDistilled asserts global_pool='token': its heads read the class token and the distillation token.");

        public static readonly DiagnosticDescriptor PackedGateOddWidth = Create(
            "SVIT0024", "Packed SwiGLU needs an even hidden width",
            "MlpGate.Packed chunks the MLP hidden dimension {0} into two halves, but it is odd: use {1}",
            DiagnosticSeverity.Error, "A packed gated MLP (timm's SwiGLUPacked/GluMlp) holds the gate and the value halves in one fc1 and splits its output in two.");

        public static readonly DiagnosticDescriptor RotaryHeadDimNotDivisibleBy4 = Create(
            "SVIT0025", "Rotary embedding needs a head dimension divisible by 4",
            "Rotary = true splits each head into 4 bands (sin and cos of height and width), but head dimension {0} ({1} / {2} heads) is not divisible by 4: {3}",
            DiagnosticSeverity.Error, "EVA-02's rotary embedding (timm's RotaryEmbeddingCat) builds head_dim / 4 frequency bands per image axis.");

        public static readonly DiagnosticDescriptor OptionWithoutEffect = Create(
            "SVIT0026", "Option has no effect",
            "{0} has no effect {1}: {2}",
            DiagnosticSeverity.Error, "Every option a declaration states must change the model; one the rest of the declaration leaves without effect is a mistake.");

        public static readonly DiagnosticDescriptor[] All =
        {
            ImageNotDivisibleByPatch, EmbedNotDivisibleByHeads, NonPositiveSize, NotPartial, ContainingTypeNotPartial, GenericClass,
            StaticClass, MissingAttribute, DuplicateAttribute, ClassTokenPoolingWithoutClassToken, ExpectedShapeMismatch,
            HeadDimNotMultipleOf8, ProvenTrace, UnsupportedType, TooLarge, InvalidOption, UnreadableAttribute, UnknownStage,
            GeneratedMemberConflict, UserBaseClass, PrimaryConstructor, DistillationTokenWithoutClassToken,
            DistillationTokenWithoutClassTokenPooling, PackedGateOddWidth, RotaryHeadDimNotDivisibleBy4, OptionWithoutEffect,
        };

        public static DiagnosticDescriptor ById(string id)
        {
            foreach (var descriptor in All)
                if (descriptor.Id == id) return descriptor;
            throw new System.ArgumentException("no descriptor " + id, nameof(id));
        }

        public static bool IsError(string id) => ById(id).DefaultSeverity == DiagnosticSeverity.Error;
    }
}
