using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace SelfInterp.Architecture.Tests;

/// <summary>
/// The runner, the backends and the server know no experiment: their assemblies reference no assembly and no type
/// of an experiment's domain (the preferences protocol's scenarios, catalog, trials, tasks, plan, config, datasets,
/// prompts, stages, file layout and analysis; the behaviour experiment's traits). Read from each assembly's metadata
/// (every type it references, every type it defines), so a new reference fails here.
/// </summary>
public class ArchitectureTests
{
    /// <summary>Where the domains live: the experiments, the preferences domain, the paper's analysis, the organism.</summary>
    private static readonly string[] DomainAssemblies =
        ["SelfInterp.Experiments", "SelfInterp.Preferences", "SelfInterp.Analysis", "SelfInterp.Organisms", "SelfInterp.WhiteBox"];

    /// <summary>The domains' namespaces.</summary>
    private static readonly string[] ProtocolNamespaces =
        ["SelfInterp.Experiments", "SelfInterp.Preferences", "SelfInterp.Analysis", "SelfInterp.Organisms", "SelfInterp.WhiteBox"];

    /// <summary>Protocol types by name, wherever they might be redefined.</summary>
    private static readonly string[] ProtocolTypes =
    [
        "Analyzer", "PaperLayout", "ReportCondition", "ReportParser", "PromptReader", "PromptTemplates", "ExperimentPlan",
        "PreferencesPlan", "PreferencesConfig", "DatasetBuilder", "ReportsStage", "SelectionsStage", "RunPipeline", "Presets",
        "FineTuneKind", "PromptMeta", "Scenario", "AttributeSpec", "ScenarioCatalog", "CatalogReader", "Trial", "OptionValues",
        "Utility", "Weights", "AttributeChoiceTask", "WeightReportTask", "TraitChoiceTask", "SelfRatingTask", "SelfDescriptionTask",
        "SelfReportChoiceTask", "TriggerDependenceTask", "TraitAgent", "PreferencesAgent", "LocalBackend", "Organism",
    ];

    public static TheoryData<string> ExperimentFree => ["SelfInterp.Core", "SelfInterp.Backends", "SelfInterp.Server"];

    [Theory]
    [MemberData(nameof(ExperimentFree))]
    public void Assembly_references_no_preferences_protocol_type(string assembly)
    {
        var (referenced, defined, assemblies) = Read(assembly);
        Assert.DoesNotContain(assemblies, DomainAssemblies.Contains);
        Assert.DoesNotContain(referenced, t => ProtocolNamespaces.Any(n => t.Namespace == n || t.Namespace.StartsWith(n + ".", StringComparison.Ordinal))
                                               || ProtocolTypes.Contains(t.Name));
        Assert.DoesNotContain(defined, t => ProtocolTypes.Contains(t.Name));
    }

    [Fact]
    public void The_check_sees_references_where_there_are_some()
    {
        // The CLI hosts the experiments, the organism uses the preferences domain: the same reading must find them
        // there, or the test above proves nothing.
        var (referenced, _, assemblies) = Read("selfinterp");
        Assert.Contains("SelfInterp.Experiments", assemblies);
        Assert.Contains(referenced, t => t.Name == "ExperimentCatalog");
        var (organism, _, organismAssemblies) = Read("SelfInterp.Organisms");
        Assert.Contains("SelfInterp.Preferences", organismAssemblies);
        Assert.Contains(organism, t => t.Namespace.StartsWith("SelfInterp.Preferences", StringComparison.Ordinal) && t.Name == "ScenarioCatalog");
    }

    private static (List<(string Namespace, string Name)> Referenced, List<(string Namespace, string Name)> Defined, List<string> Assemblies) Read(string assembly)
    {
        using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, assembly + ".dll"));
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var referenced = md.TypeReferences.Select(h => md.GetTypeReference(h))
            .Select(t => (md.GetString(t.Namespace), md.GetString(t.Name))).ToList();
        var defined = md.TypeDefinitions.Select(h => md.GetTypeDefinition(h))
            .Select(t => (md.GetString(t.Namespace), md.GetString(t.Name))).ToList();
        var assemblies = md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToList();
        return (referenced, defined, assemblies);
    }
}
