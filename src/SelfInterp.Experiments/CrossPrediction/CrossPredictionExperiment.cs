using System.Text.Json.Nodes;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Experiments.CrossPrediction;

/// <summary>
/// Self- versus cross-prediction (after Binder et al. 2024, <i>Looking Inward</i>): the preferences protocol, plus
/// a <i>cross</i> model fine-tuned from a base model on the instilled model's own choices, asked the same report
/// questions. If the instilled model's reports beat the cross model's, it reports something the behaviour alone
/// does not teach. Its settings are the preferences settings plus <c>cross_base_model</c>.
/// </summary>
public sealed class CrossPredictionExperiment : IExperiment
{
    public const string ExperimentName = "cross-prediction";
    public const string CrossBaseModelSetting = "cross_base_model";
    public const string CrossBaseModelOption = "cross-base-model";

    public string Name => ExperimentName;
    public string Description => "self- vs cross-prediction: a second model learns the instilled model's choices from outside; whose reports are more accurate?";
    public IReadOnlyList<ExperimentOption> Options =>
        [new(CrossBaseModelOption, "The model the cross model is fine-tuned from. Default: the run's base model.")];

    public JsonObject Settings(string preset, IReadOnlyDictionary<string, string> options)
    {
        var settings = PreferencesConfig.Preset(preset).ToJson();
        if (options.TryGetValue(CrossBaseModelOption, out var model))
        {
            if (string.IsNullOrWhiteSpace(model)) throw new UsageException($"--{CrossBaseModelOption}: expected a model id");
            settings[CrossBaseModelSetting] = model;
        }
        return settings;
    }

    public IExperimentRun Open(RunConfig config)
    {
        var preferences = (JsonObject)config.Settings.DeepClone();
        string? crossBase = null;
        if (preferences.Remove(CrossBaseModelSetting, out var node))
            crossBase = node is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s
                : throw new UsageException($"run config, settings.{CrossBaseModelSetting}: expected a model id, got {node?.ToJsonString() ?? "null"}");
        var plan = PreferencesPlan.Create(config with { Settings = preferences });
        return new CrossPredictionRun(plan, crossBase);
    }
}
