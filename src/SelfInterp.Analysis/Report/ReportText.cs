using System.Globalization;
using SelfInterp.Analysis.Report.Svg;
using SelfInterp.Analysis.Summary;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;

namespace SelfInterp.Analysis.Report;

/// <summary>The tables both renderings share, as rows of plain strings, so HTML and Markdown show the same numbers.</summary>
public static class ReportText
{
    public static string F3(double v) => NiceTicks.Format(v, 3);

    public static string Interval(double low, double high) => $"[{F3(low)}, {F3(high)}]";

    public static readonly string[] MeasureHeader =
        ["measure", "slope", "95% interval", "r", "n pairs", "bad reports", "excluded rows", "vs target weights: slope [95%]",
         "paper GPT-4o", "paper GPT-4o-mini"];

    /// <summary>
    /// Instillation r, then each report measure (against learned weights, and against target weights where its
    /// scenarios were instilled), the base model's positive control, then the two effects, paired and the paper's way.
    /// </summary>
    public static List<string[]> MeasureRows(ModelAnalysis m)
    {
        var rows = new List<string[]>();
        rows.Add(m.Instillation is { } inst
            ? ["instillation: learned vs target weights (r)", "", "", F3(inst.R), (inst.Pairs.Count).ToString(CultureInfo.InvariantCulture), "", "", "",
               F2(ConditionInfo.PaperInstillationGpt4o), F2(ConditionInfo.PaperInstillationGpt4oMini)]
            : ["instillation: learned vs target weights (r)", "no instilled_weights.csv", "", "", "", "", "", "", "", ""]);
        var byKey = m.Reports.Named().ToDictionary(n => n.Key, n => n.Statistics);
        var versusTarget = m.VersusTarget?.Named().ToDictionary(n => n.Key, n => n.Statistics);
        foreach (var c in ConditionInfo.All)
        {
            var paper = new[] { c.PaperGpt4o is { } a ? F2(a) : "", c.PaperGpt4oMini is { } b ? F2(b) : "" };
            rows.Add([.. Condition(c.Label, byKey[c.Key], versusTarget?.GetValueOrDefault(c.Key)), .. paper]);
            if (c.Key == "base" && m.BaseOwn is { } own)
                rows.Add([.. Condition("base model vs its own choices (positive control)", own, null), "", ""]);
        }
        rows.Add(Effect("instilled − base (the control), paired bootstrap", m.PairedInstilledVsBase));
        rows.Add(Effect("itraining effect (held-out − instilled), paired bootstrap", m.PairedItrainingEffect));
        rows.Add(Effect("itraining effect, paper's interaction model", m.ItrainingEffect));
        rows.Add(Effect("native effect (after − before), paired bootstrap", m.PairedNativeEffect));
        rows.Add(Effect("native effect, paper's interaction model", m.NativeEffect));
        return rows;
    }

    /// <summary>How many scenarios have learned weights, and how they agree with regression results published beside the data.</summary>
    public static string LearnedNote(ModelAnalysis m) =>
        $"Learned weights: {m.LearnedInstilled.Count} instilled and {m.LearnedNative.Count} native scenarios; {m.FailedScenarios.Count} failed regressions." +
        string.Concat(m.Published.Select(p => $" Against the published {p.File}: r = {NiceTicks.Format(p.R, 4)} over {I(p.Scenarios)} scenarios."));

    private static string[] Condition(string label, ConditionStatistics? s, ConditionStatistics? target)
    {
        var vsTarget = target is { N: > 0 } t ? $"{F3(t.Slope)} {Interval(t.Low, t.High)}" : "";
        if (s is null) return [label, "no file", "", "", "", "", "", vsTarget];
        if (s.N == 0) return [label, "no valid reports", "", "", I(s.N), I(s.BadReports), I(s.ExcludedRows), vsTarget];
        return [label, F3(s.Slope), Interval(s.Low, s.High), F3(s.R), I(s.N), I(s.BadReports), I(s.ExcludedRows), vsTarget];
    }

    private static string[] Effect(string label, SlopeDifference? d) =>
        d is null ? [label, "not available", "", "", "", "", "", "", "", ""] : [label, F3(d.Difference), Interval(d.Low, d.High), "", "", "", "", "", "", ""];

    public static readonly string[] FileHeader = ["file", "rows", "scenarios", "models", "version"];

    public static List<string[]> FileRows(RunFacts run) =>
        run.Files.Select(f => f.Present
            ? new[] { f.File, f.Problem is null ? I(f.Rows) : "unreadable", f.Scenarios == 0 ? "" : $"{f.Scenarios} ({f.FirstScenario}–{f.LastScenario})",
                      string.Join(", ", f.Models), string.Join(", ", f.Versions) }
            : [f.File, "missing", "", "", ""]).ToList();

    /// <summary>
    /// What a report opens with, before any number (issue 24): a banner when the agent is simulated, then one line
    /// naming the backend, base model, preset, the experiment's settings, backend options and the master seed.
    /// Nothing for a directory without run.json (the authors' data).
    /// </summary>
    public static (string? Banner, string? Run) Opening(RunManifest? manifest)
    {
        if (manifest is null) return (null, null);
        var c = manifest.Config;
        string? banner = c.Backend == "simulated"
            ? "Simulated agent: every number here comes from SelfInterp's simulated agent (known preferences and set noise), not from a language model."
            : null;
        var settings = string.Join(", ", c.Settings.Select(kv => $"{kv.Key.Replace('_', ' ')} {Short(kv.Value?.ToJsonString() ?? "")}"));
        var options = c.BackendOptions.Count == 0 ? "none" : string.Join(", ", c.BackendOptions.Select(kv => $"{kv.Key}={kv.Value}"));
        return (banner, $"Run: experiment {c.Experiment}, backend {c.Backend} (base model {c.BaseModel}), preset {c.Preset}, master seed {U(c.Seeds.Master)}; " +
                        $"settings: {settings}; backend options: {options}.");
    }

    private static string Short(string json) => json.Length <= 60 ? json : json[..57] + "...";

    /// <summary>The config as name/value rows (experiment, backend, the experiment's settings, files), in run.json's order.</summary>
    public static List<string[]> ConfigRows(RunManifest manifest)
    {
        var c = manifest.Config;
        var rows = new List<string[]>
        {
            new[] { "selfinterp version (run)", manifest.Version },
            new[] { "experiment", c.Experiment }, new[] { "preset", c.Preset }, new[] { "backend", c.Backend }, new[] { "base model", c.BaseModel },
            new[] { "scenario catalog", c.Catalog ?? "built in" }, new[] { "roles", c.Roles ?? "built in" }, new[] { "prompts", c.Prompts ?? "built in" },
        };
        // The experiment's own section, as it wrote it (sizes, its options).
        foreach (var (k, v) in c.Settings) rows.Add([k.Replace('_', ' '), v?.ToJsonString() ?? ""]);
        foreach (var (k, v) in c.BackendOptions) rows.Add([$"backend option {k}", v]);
        foreach (var (k, v) in manifest.Usage) rows.Add([$"usage {k}", v.ToString("G", CultureInfo.InvariantCulture)]);
        return rows;
    }

    public static List<string[]> SeedRows(Seeds s) =>
    [
        ["master", U(s.Master)], ["role_shuffle", U(s.RoleShuffle)], ["weights", U(s.Weights)],
        ["training_selections", U(s.TrainingSelections)], ["finetuning_examples", U(s.FinetuningExamples)],
        ["finetuning_job", U(s.FinetuningJob)], ["validation_examples", U(s.ValidationExamples)],
        ["validation_selections", U(s.ValidationSelections)], ["introspection_examples", U(s.IntrospectionExamples)],
        ["report_trials", U(s.ReportTrials)], ["native_selections", U(s.NativeSelections)],
    ];

    public static readonly string[] ModelHeader = ["model", "id", "fine-tuned from", "training file", "job"];

    public static List<string[]> ModelRows(RunManifest manifest) =>
        manifest.Models.Select(kv => new[] { kv.Key, kv.Value.Id ?? "", kv.Value.From ?? "", kv.Value.TrainingFile ?? "", kv.Value.JobId ?? "" }).ToList();

    public static readonly string[] StageHeader = ["stage", "status", "seconds"];

    /// <summary>Stages in the order they ran (run.json keeps them sorted by name); stages without an order last.</summary>
    public static List<string[]> StageRows(RunManifest manifest)
    {
        var rows = manifest.Stages.OrderBy(kv => kv.Value.Order ?? int.MaxValue).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new[] { kv.Key, kv.Value.Status, kv.Value.Seconds is { } s ? s.ToString("F3", CultureInfo.InvariantCulture) : "" }).ToList();
        rows.Add(["total", "", manifest.Stages.Values.Sum(s => s.Seconds ?? 0).ToString("F3", CultureInfo.InvariantCulture)]);
        return rows;
    }

    public static readonly string[] BadHeader = ["measure", "replies file", "replies", "bad", "bad rows in report file"];

    public static List<string[]> BadRows(ModelReport m)
    {
        var byKey = m.Analysis.Reports.Named().ToDictionary(n => n.Key, n => n.Statistics);
        return (m.BadReplies ?? []).Select(b => new[]
        {
            ConditionInfo.Of(b.ConditionKey).Label, b.RepliesFile, I(b.Replies), I(b.Bad),
            byKey[b.ConditionKey] is { } s ? I(s.BadReports) : "no file",
        }).ToList();
    }

    /// <summary>Bad-report counts from the report files alone (the published layout keeps no raw replies).</summary>
    public static List<string[]> BadCountRows(ModelAnalysis m) =>
        ConditionInfo.All.Where(c => c.File is not null)
            .Select(c => (c, s: m.Reports.Named().First(n => n.Key == c.Key).Statistics))
            .Where(x => x.s is not null)
            .Select(x => new[] { x.c.Label, I(x.s!.BadReports) }).ToList();

    private static string F2(double v) => NiceTicks.Format(v, 2);
    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    private static string U(ulong v) => v.ToString(CultureInfo.InvariantCulture);
}
