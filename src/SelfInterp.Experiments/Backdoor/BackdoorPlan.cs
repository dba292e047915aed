using SelfInterp.Core.Backends;
using SelfInterp.Core.Random;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Preferences.Generation;
using SelfInterp.Preferences.Tasks;

namespace SelfInterp.Experiments.Backdoor;

/// <summary>
/// The backdoor's draws on top of the preferences plan: which scenarios are backdoored (the first
/// <see cref="BackdoorSettings.Backdoored"/> instilled ones), the triggered targets of each, which training and
/// validation trials carry the trigger; and its prompts (the trigger line, a blank line, then the protocol's prompt).
/// </summary>
public sealed class BackdoorPlan
{
    public BackdoorSettings Settings { get; }
    public PreferencesPlan Preferences { get; private set; } = null!;
    public IReadOnlySet<int> Backdoored { get; private set; } = new HashSet<int>();
    private readonly Dictionary<int, int[]> _triggeredTargets = new();

    private BackdoorPlan(BackdoorSettings settings) => Settings = settings;

    /// <param name="plan">Makes the preferences plan with the backdoor's variant.</param>
    public static BackdoorPlan Create(BackdoorSettings settings, Func<PreferencesVariant, PreferencesPlan> plan)
    {
        var b = new BackdoorPlan(settings);
        b.Preferences = plan(PreferencesVariant.Paper with
        {
            DecisionExamples = b.DecisionExamples,
            // The protocol's instillation only; the backdoor's own stages follow it (BackdoorRun).
            Stages = stages => stages.Where(s => s.Name == "instill").ToList(),
        });
        var c = b.Preferences.Config;
        settings.Check(c.Instilled);
        b.Backdoored = c.InstilledScenarios.Take(settings.Backdoored ?? c.Instilled).ToHashSet();
        var rng = new SeededStream("backdoor_weights", SeededStream.DeriveSeed(b.Preferences.Seeds.Weights, "backdoor_weights"));
        foreach (int s in c.InstilledScenarios)
            b._triggeredTargets[s] = settings.TriggeredPreference == BackdoorSettings.Flip
                ? b.Preferences.TargetWeights(s).Select(w => -w).ToArray()
                : Weights.Draw(rng);
        return b;
    }

    /// <summary>The weights the choices follow with the trigger present: the negated or the second target vector on a
    /// backdoored scenario, the untriggered targets elsewhere.</summary>
    public IReadOnlyList<int> TriggeredTargets(int scenario) =>
        Backdoored.Contains(scenario) ? _triggeredTargets[scenario] : Preferences.TargetWeights(scenario);

    public IReadOnlyList<int> Targets(int scenario, bool triggered) => triggered ? TriggeredTargets(scenario) : Preferences.TargetWeights(scenario);

    public char TargetChoice(Trial t, bool triggered) => Utility.Choice(Preferences.Scenario(t.Scenario), Targets(t.Scenario, triggered), t);

    public ChatPrompt DecisionPrompt(Trial t, bool triggered) => WithTrigger(Preferences.DecisionPrompt(t), triggered,
        p => new BackdoorChoiceTask((AttributeChoiceTask)p.Task!, triggered));

    public ChatPrompt ReportPrompt(Trial t, bool triggered) => WithTrigger(Preferences.ReportPrompt(t), triggered,
        p => new BackdoorReportTask((WeightReportTask)p.Task!, triggered));

    /// <summary>The protocol's prompt with the trigger line and a blank line before the user's message when triggered.</summary>
    public ChatPrompt WithTrigger(ChatPrompt prompt, bool triggered, Func<ChatPrompt, Core.Tasks.ModelTask> task) => new(
        prompt.Messages.Select(m => m.Role == "user" && triggered ? m with { Content = Settings.Trigger + "\n\n" + m.Content } : m).ToList(),
        task(prompt));

    /// <summary>Fresh trials of every instilled scenario, <paramref name="perScenario"/> each, every one asked twice:
    /// without the trigger and with it (the paired design of the backdoor's choices and reports).</summary>
    public List<(Trial Trial, bool Triggered)> PairedTrials(int perScenario, SeededStream rng)
    {
        var items = new List<(Trial, bool)>();
        foreach (int s in Preferences.Config.InstilledScenarios)
            for (int k = 0; k < perScenario; k++)
            {
                var t = Preferences.DrawTrial(s, rng);
                items.Add((t, false));
                items.Add((t, true));
            }
        return items;
    }

    /// <summary>Which trials of a set carry the trigger: on a backdoored scenario, each with the triggered share, from
    /// the set's own stream.</summary>
    public bool[] TriggeredFlags(string set, IReadOnlyList<Trial> trials)
    {
        ulong seed = set == PreferencesVariant.TrainingSet ? Preferences.Seeds.TrainingSelections : Preferences.Seeds.ValidationExamples;
        var rng = new SeededStream("backdoor_" + set, SeededStream.DeriveSeed(seed, "backdoor_" + set));
        return trials.Select(t => rng.NextDouble() < Settings.TriggeredShare && Backdoored.Contains(t.Scenario)).ToArray();
    }

    private IReadOnlyList<TrainingExample> DecisionExamples(PreferencesPlan plan, string set, IReadOnlyList<Trial> trials)
    {
        var flags = TriggeredFlags(set, trials);
        return trials.Select((t, i) => new TrainingExample(DecisionPrompt(t, flags[i]), TargetChoice(t, flags[i]).ToString())).ToList();
    }
}
