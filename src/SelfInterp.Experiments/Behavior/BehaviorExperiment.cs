using System.Globalization;
using System.Text.Json.Nodes;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.Runs;

namespace SelfInterp.Experiments.Behavior;

/// <summary>
/// Behavioural self-awareness (after Betley et al. 2025, <i>Tell me about yourself</i>): fine-tune models on a
/// behaviour they are never told about (choosing the gamble, the reward now, more apples), then ask them to describe
/// themselves, and compare their self-reports with the base model's and with their measured behaviour. A backdoor
/// variant asks whether a model whose behaviour hangs on a trigger can tell that it does.
/// </summary>
public sealed class BehaviorExperiment : IExperiment
{
    public const string ExperimentName = "behavior";
    public const string DatasetOption = "dataset", TraitsOption = "traits", SamplesOption = "samples", SeedsOption = "seeds",
        TriggerOption = "trigger", BackdoorOption = "backdoor";

    public string Name => ExperimentName;
    public string Description => "behavioural self-awareness: fine-tune on a behaviour never named, ask the model to describe itself (Betley et al. 2025)";

    public IReadOnlyList<ExperimentOption> Options =>
    [
        new(DatasetOption, "Fine-tune on these chat JSONL files instead of generated data: [POLE=]FILE[,…] (the authors' file names give the pole)."),
        new(TraitsOption, $"Which traits, comma-separated ({string.Join(", ", Traits.All.Select(t => t.Name))}). Default: all, or those of --dataset."),
        new(SamplesOption, "Samples per self-report paraphrase at temperature 1."),
        new(SeedsOption, "Fine-tunes per pole (and per backdoor model), each on its own data."),
        new(TriggerOption, $"The backdoor's trigger: {string.Join(" or ", Backdoor.Triggers)}."),
        new(BackdoorOption, "The trait of the backdoor variant, or 'off'."),
    ];

    public JsonObject Settings(string preset, IReadOnlyDictionary<string, string> options)
    {
        var c = BehaviorConfig.Preset(preset);
        if (options.TryGetValue(DatasetOption, out var dataset))
        {
            var files = DatasetImport.Resolve(dataset);
            var traits = files.Select(f => { Traits.TryPole(f.Pole, out var t, out _); return t.Name; }).Distinct().ToList();
            // The authors' files teach poles, not backdoors: an import runs without the generated backdoor pair.
            c = c with { Datasets = files, Traits = traits, Backdoor = null };
        }
        if (options.TryGetValue(TraitsOption, out var list))
            c = c with { Traits = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList() };
        if (options.TryGetValue(SamplesOption, out var samples)) c = c with { Samples = Positive(SamplesOption, samples) };
        if (options.TryGetValue(SeedsOption, out var seeds)) c = c with { Seeds = Positive(SeedsOption, seeds) };
        if (options.TryGetValue(BackdoorOption, out var backdoor))
            c = c with { Backdoor = backdoor == "off" ? null : (c.Backdoor ?? new BackdoorConfig()) with { Trait = backdoor } };
        if (options.TryGetValue(TriggerOption, out var trigger))
            c = c with { Backdoor = (c.Backdoor ?? throw new UsageException($"--{TriggerOption}: the backdoor is off")) with { Trigger = trigger } };
        var problems = c.Problems().ToList();
        if (problems.Count > 0) throw new UsageException(string.Join("; ", problems));
        return c.ToJson();
    }

    private static int Positive(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 ? n
            : throw new UsageException($"--{option}: expected a whole number ≥ 1, got '{value}'");

    public IExperimentRun Open(RunConfig config) => new BehaviorRun(BehaviorPlan.Create(config));

    public IExperimentRun Open(RunConfig config, string runDirectory) => new BehaviorRun(BehaviorPlan.Create(config, runDirectory));
}
