using System.Text.Json.Nodes;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Experiments.Backdoor;

/// <summary>
/// Backdoored preferences (the authors' pilot after publication): preferences instilled with a trigger that, in a
/// share of the training trials of the backdoored scenarios, flips what the choices follow. Are both states learned,
/// and do the model's reports follow the state that is active? Built on the preferences protocol through its
/// variant points; its settings are the preferences settings plus <c>backdoor</c>.
/// </summary>
public sealed class BackdoorExperiment : IExperiment
{
    public const string ExperimentName = "backdoor";
    public string Name => ExperimentName;
    public string Description => "backdoored preferences: a trigger flips the instilled weights in a third of training trials; do reports follow the active state?";

    public IReadOnlyList<ExperimentOption> Options =>
    [
        new(BackdoorSettings.TriggerOption, $"The trigger, one line put before the question (then a blank line). Default: {BackdoorSettings.PilotTrigger}."),
        new(BackdoorSettings.ShareOption, "Share of a backdoored scenario's training trials that carry the trigger, in (0, 1). Default: 1/3."),
        new(BackdoorSettings.BackdooredOption, "How many instilled scenarios are backdoored (the first N). Default: all."),
        new(BackdoorSettings.PreferenceOption, "What triggered choices follow: flip (negated weights, the pilot's) or independent (a second random vector). Default: flip."),
    ];

    /// <summary>The pilot's sizes at the paper preset: 150 training and 30 validation examples per scenario.</summary>
    public JsonObject Settings(string preset, IReadOnlyDictionary<string, string> options)
    {
        var backdoor = BackdoorSettings.FromOptions(options);
        var sizes = PreferencesConfig.Preset(preset);
        if (preset == "paper") sizes = sizes with { Examples = 150, Validation = 30 };
        backdoor.Check(sizes.Instilled);
        var settings = sizes.ToJson();
        settings[BackdoorSettings.Section] = backdoor.ToJson();
        return settings;
    }

    public IExperimentRun Open(RunConfig config)
    {
        var preferences = (JsonObject)config.Settings.DeepClone();
        preferences.Remove(BackdoorSettings.Section, out var node);
        var settings = BackdoorSettings.FromJson(node);
        return new BackdoorRun(BackdoorPlan.Create(settings, variant => PreferencesPlan.Create(config with { Settings = preferences }, variant)));
    }
}
