namespace ShapedVit.Models.Tests;

/// <summary>
/// The generated models against timm: each declaration's static Spec is the translation of timm's arguments (the generator
/// read every option), and its exact parameter count, the generated ParameterCountFor (no model is built), is timm's with
/// the default tag's head and headless.
/// </summary>
public class GeneratedModelTests
{
    [Theory, MemberData(nameof(TimmFacts.Names), MemberType = typeof(TimmFacts))]
    public void The_generated_spec_is_the_translation_of_timms_arguments(string name)
    {
        var expected = TimmTranslator.Translate(TimmTranslator.Load().Entries.Single(e => e.Name == name)).Spec;
        var architecture = Timm.Architecture(name);
        Assert.Equal(expected, architecture.Spec);
        // Then the static Spec's geometry counts what the generator counted.
        Assert.Equal(architecture.ParameterCount(), architecture.Geometry().ParameterCount);
    }

    [Theory, MemberData(nameof(TimmFacts.Names), MemberType = typeof(TimmFacts))]
    public void The_parameter_count_is_timms_with_its_head_and_headless(string name)
    {
        var facts = TimmFacts.Of(name);
        var architecture = Timm.Architecture(name);
        Assert.Equal((int)facts["num_classes"]!, architecture.DefaultConfig.NumClasses);
        Assert.Equal((long)facts["parameter_count"]!, architecture.ParameterCount());
        Assert.Equal((long)facts["parameter_count_num_classes_0"]!, architecture.ParameterCount(0));
    }
}
