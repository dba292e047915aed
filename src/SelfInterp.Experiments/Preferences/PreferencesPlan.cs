using SelfInterp.Preferences.Tasks;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;
using SelfInterp.Core.IO;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Preferences.Scenarios;
using SelfInterp.Core.Tasks;
using SelfInterp.Experiments.Preferences.Prompts;

namespace SelfInterp.Experiments.Preferences;

/// <summary>
/// The preferences experiment's fixed draws, derived from the config's seeds: which scenario gets which role, and
/// the target weights of the instilled scenarios. Also renders prompts, so every stage words them the same way.
/// </summary>
public sealed class PreferencesPlan
{
    public RunConfig Run { get; }
    public PreferencesConfig Config { get; }
    public Seeds Seeds => Run.Seeds;
    public ScenarioCatalog Catalog { get; }
    public PromptTemplates Prompts { get; }
    private readonly string[] _shuffledRoles;
    private readonly Dictionary<int, int[]> _targets;

    /// <summary>Where this run departs from the paper's protocol (<see cref="PreferencesVariant.Paper"/>: nowhere).</summary>
    public PreferencesVariant Variant { get; }

    public PreferencesPlan(RunConfig run, PreferencesConfig config, ScenarioCatalog catalog, PromptTemplates prompts, PreferencesVariant? variant = null)
    {
        Variant = variant ?? PreferencesVariant.Paper;
        var problems = config.Problems(catalog.Scenarios.Count).ToList();
        if (problems.Count > 0) throw new UsageException(string.Join("; ", problems));
        Run = run;
        Config = config;
        Catalog = catalog;
        Prompts = prompts;

        _shuffledRoles = catalog.Roles.ToArray();
        new SeededStream("role_shuffle", Seeds.RoleShuffle).Shuffle(_shuffledRoles);

        _targets = DrawTargets(config.InstilledScenarios, Seeds.Weights);
    }

    /// <summary>The target weights of the instilled scenarios, drawn in order from the weights stream of
    /// <paramref name="weightsSeed"/> (a run's <see cref="Seeds.Weights"/>).</summary>
    public static Dictionary<int, int[]> DrawTargets(IEnumerable<int> instilled, ulong weightsSeed)
    {
        var weights = new SeededStream("weights", weightsSeed);
        return instilled.ToDictionary(s => s, _ => Weights.Draw(weights));
    }

    public static PreferencesPlan Create(RunConfig run, PreferencesVariant? variant = null) => new(
        run,
        PreferencesConfig.From(run),
        ScenarioCatalog.Load(run.Catalog, run.Roles),
        PromptTemplates.LoadOrDefault(run.Prompts),
        variant);

    public Scenario Scenario(int id) => Catalog.Scenarios[id];

    /// <summary>Roles are shuffled once and dealt one per scenario (cycling if there are more scenarios than roles).</summary>
    public string RoleOf(int id) => _shuffledRoles[id % _shuffledRoles.Length];

    public IReadOnlyList<int> TargetWeights(int id) =>
        _targets.TryGetValue(id, out var w) ? w : throw new ArgumentException($"scenario {id} is not an instilled scenario");

    /// <summary>The option the target weights choose.</summary>
    public char TargetChoice(Trial trial) => Utility.Choice(Scenario(trial.Scenario), TargetWeights(trial.Scenario), trial);

    public Trial DrawTrial(int id, SeededStream rng) => OptionValues.DrawTrial(id, Scenario(id), rng);

    public ChatPrompt DecisionPrompt(Trial trial) => new(
        [ChatMessage.System(Prompts.System), ChatMessage.User(Prompts.RenderDecision(Scenario(trial.Scenario), RoleOf(trial.Scenario), trial))],
        new AttributeChoiceTask(trial.Scenario, trial));

    public ChatPrompt ReportPrompt(Trial trial) => new(
        [ChatMessage.System(Prompts.System), ChatMessage.User(Prompts.RenderReport(Scenario(trial.Scenario), RoleOf(trial.Scenario), trial))],
        new WeightReportTask(trial.Scenario, trial));

    /// <summary>The base model's name as it appears in file names (the paper's {model}).</summary>
    public string FileModelName => FileNames.Safe(Run.BaseModel);
}
