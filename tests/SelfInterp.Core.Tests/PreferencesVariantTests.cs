using SelfInterp.Core.Backends;
using SelfInterp.Core.Datasets;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Core.Tests;

/// <summary>The preferences experiment's variant points change what they say they change, and nothing else.</summary>
public class PreferencesVariantTests
{
    private static readonly RunConfig Quick = PreferencesExperiment.Config("quick");

    [Fact]
    public void A_variant_makes_the_examples_splits_and_stage_list()
    {
        var seen = new List<string>();
        var variant = PreferencesVariant.Paper with
        {
            DecisionExamples = (plan, set, trials) =>
            {
                seen.Add(set);
                return trials.Select(t => new TrainingExample(plan.DecisionPrompt(t), "B")).ToList();
            },
            Halves = ids => (ids.Skip(ids.Count / 2).ToList(), ids.Take(ids.Count / 2).ToList()),
            Stages = stages => stages.Where(s => s.Name is "instill" or "selections_instilled").ToList(),
        };
        var plan = PreferencesPlan.Create(Quick, variant);
        var dir = Directory.CreateTempSubdirectory("variant").FullName;
        var data = DatasetBuilder.Build(plan, dir);

        Assert.Equal([PreferencesVariant.TrainingSet, PreferencesVariant.ValidationSet], seen);
        Assert.All(ChatJsonl.Read(data.InstillFile), e => Assert.Equal("B", e.Answer));
        Assert.All(ChatJsonl.Read(data.InstillValidationFile), e => Assert.Equal("B", e.Answer));
        var ids = plan.Config.InstilledScenarios.ToList();
        Assert.Equal(ids.Skip(ids.Count / 2), data.First.Scenarios);
        Assert.Equal(ids.Take(ids.Count / 2), data.Last.Scenarios);
        Assert.Equal(["instill", "selections_instilled"], new PreferencesRun(plan).Stages.Stages.Select(s => s.Name));
    }

    [Fact]
    public void The_paper_variant_is_the_protocol()
    {
        var plan = PreferencesPlan.Create(Quick);
        var data = DatasetBuilder.Build(plan, Directory.CreateTempSubdirectory("paper").FullName);
        Assert.Same(PreferencesVariant.Paper, plan.Variant);
        Assert.All(data.Instill, e => Assert.Equal(plan.TargetChoice(((Preferences.Tasks.AttributeChoiceTask)e.Prompt.Task!).Trial).ToString(), e.Answer));
        Assert.Equal(13, new PreferencesRun(plan).Stages.Stages.Count);
    }
}
