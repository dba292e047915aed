using System.CommandLine;
using SelfInterp.Analysis.Layout;
using SelfInterp.WhiteBox;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp probe RUN`, `selfinterp intervene RUN` and `selfinterp wrapper RUN [--method prune|reverse]`: the white-box
/// lab on a run's local models (docs/white-box.md). Each writes into RUN/analysis and refresh RUN/whitebox.html and whitebox.md.</summary>
public static class WhiteBoxCommands
{
    public static Command Probe()
    {
        var nulls = new Option<int>("--nulls") { Description = "Draws of each probe's shuffled-label and scenario-permutation nulls, and of the read-out direction's nulls (0: none).", DefaultValueFactory = _ => 100 };
        var untrained = new Option<bool>("--untrained-body") { Description = "Add the untrained-body control network: the instilled model's embeddings under a freshly initialised body, probed against the instilled model's weights." };
        return Create("probe",
            "Ridge probes per layer on the residual stream of the run's base, instilled and itrained models (local backend only), each beside its nulls, and the reports' read-out direction against the probes': analysis/probes.csv, analysis/readout.csv and whitebox.html.",
            p =>
            {
                int draws = p.GetValue(nulls);
                if (draws < 0) throw new Core.Runs.UsageException($"--nulls: must be 0 or more draws, got {draws}");
                bool control = p.GetValue(untrained);
                var settings = new Dictionary<string, string> { ["nulls"] = $"{draws}", ["untrained_body"] = control ? "true" : "false" };
                return ("probe", settings, (run, trials, reports) =>
                {
                    if (control) run = run.WithUntrainedBody();
                    var result = ProbeStudy.Run(run, new ProbeStudy.Settings(trials, reports, draws), Console.WriteLine);
                    string analysis = Path.Combine(run.Path, PaperLayout.AnalysisDirectory);
                    ProbeStudy.Write(Path.Combine(analysis, ProbeStudy.FileName), result.Probes);
                    ReadoutStudy.Write(Path.Combine(analysis, ReadoutStudy.FileName), result.Readout);
                    Console.Write(WhiteBoxHeadline.Probes(result.Probes));
                });
            }, nulls, untrained);
    }

    public static Command Intervene()
    {
        var steer = new Option<string>("--steer") { Description = $"Steering strengths in weight points of the probe's reading, comma-separated ({string.Join(",", InterventionStudy.DefaultSteer)})." };
        return Create("intervene",
            "Causal tests on the run's instilled and itrained models (local backend only): steering as a dose-response curve, decision path only, report path only, each against a no-intervention control; analysis/interventions.csv and whitebox.html.",
            p =>
            {
                var points = ParseStrengths(p.GetValue(steer));
                var settings = new Dictionary<string, string> { ["steer"] = string.Join(",", points ?? InterventionStudy.DefaultSteer) };
                return ("intervene", settings, (run, trials, reports) =>
                {
                    var rows = InterventionStudy.Run(run, new InterventionStudy.Settings(trials, reports, points), Console.WriteLine);
                    InterventionStudy.Write(Path.Combine(run.Path, PaperLayout.AnalysisDirectory, InterventionStudy.FileName), rows);
                    Console.Write(WhiteBoxHeadline.Interventions(rows));
                });
            }, steer);
    }

    /// <summary>--steer: distinct whole numbers of weight points, comma-separated, at least two (a curve needs two).</summary>
    static double[]? ParseStrengths(string? text)
    {
        if (text is null) return null;
        var points = new List<double>();
        foreach (var part in text.Split(','))
            if (!int.TryParse(part.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int v) || points.Contains(v))
                throw new Core.Runs.UsageException($"--steer: '{part.Trim()}' is not a new whole number of weight points (expected e.g. {string.Join(",", InterventionStudy.DefaultSteer)})");
            else points.Add(v);
        if (points.Count(v => v != 0) < 2) throw new Core.Runs.UsageException("--steer: need at least two strengths other than 0 for a dose-response curve");
        return [.. points.Order()];
    }

    public static Command Wrapper()
    {
        var method = new Option<string>("--method") { Description = "prune: revert the parameters instillation moved most (analysis/wrapper.csv); reverse: reverse fine-tuning, beside a control with fresh names (analysis/reverse_ft.csv).", DefaultValueFactory = _ => "prune" };
        method.AcceptOnlyFromAmong("prune", "reverse");
        var steps = new Option<string>("--steps") { Description = $"With --method reverse: the optimizer steps at which behaviour is measured, comma-separated ({string.Join(",", ReverseStudy.DefaultSteps)}; 0 is always measured)." };
        var fraction = new Option<double>("--fraction") { Description = "With --method reverse: the share of the original behaviour (r with it) whose first step is reported.", DefaultValueFactory = _ => 0.5 };
        return Create("wrapper",
            "The wrapper test (local backend only). --method prune: revert the parameters instillation moved most to the base model's values; do the base preferences revive, and do reports follow the choices? " +
            "--method reverse: fine-tune the instilled model on the base model's choices and the itrained model on the instilled model's reports; how many steps until they come back, against a control that never had them? " +
            "analysis/wrapper.csv or analysis/reverse_ft.csv, and whitebox.html.",
            p =>
            {
                if (p.GetValue(method) == "reverse")
                {
                    var (stepList, f) = (ParseSteps(p.GetValue(steps)), CheckFraction(p.GetValue(fraction)));
                    var settings = new Dictionary<string, string> { ["method"] = "reverse", ["steps"] = string.Join(",", stepList), ["fraction"] = f.ToString("R", System.Globalization.CultureInfo.InvariantCulture) };
                    return ("wrapper --method reverse", settings, (run, trials, reports) =>
                    {
                        var rows = ReverseStudy.Run(run, new ReverseStudy.Settings(trials, reports, stepList, f), Console.WriteLine);
                        ReverseStudy.Write(Path.Combine(run.Path, PaperLayout.AnalysisDirectory, ReverseStudy.FileName), rows);
                        foreach (var line in ReverseStudy.Headline(rows)) Console.WriteLine(line);
                    });
                }
                foreach (var o in new Option[] { steps, fraction })
                    if (p.GetResult(o) is { Implicit: false }) throw new Core.Runs.UsageException($"{o.Name}: only with --method reverse");
                return ("wrapper", new Dictionary<string, string> { ["method"] = "prune" }, (run, trials, reports) =>
                {
                    var rows = WrapperStudy.Run(run, trials, reports, Console.WriteLine);
                    WrapperStudy.Write(Path.Combine(run.Path, PaperLayout.AnalysisDirectory, WrapperStudy.FileName), rows);
                    Console.Write(WhiteBoxHeadline.Wrapper(rows));
                });
            }, method, steps, fraction);
    }

    /// <summary>--steps: distinct whole numbers of at least 0, comma-separated; 0 (the start) is added when absent.</summary>
    static IReadOnlyList<int> ParseSteps(string? text)
    {
        if (text is null) return ReverseStudy.DefaultSteps;
        var steps = new SortedSet<int>();
        foreach (var part in text.Split(','))
            if (!int.TryParse(part.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int step) || !steps.Add(step))
                throw new Core.Runs.UsageException($"--steps: '{part.Trim()}' is not a new whole number of steps (expected e.g. {string.Join(",", ReverseStudy.DefaultSteps)})");
        steps.Add(0);
        if (steps.Count < 2) throw new Core.Runs.UsageException("--steps: need at least one step after 0");
        return [.. steps];
    }

    static double CheckFraction(double f) =>
        f > 0 && f <= 1 ? f : throw new Core.Runs.UsageException($"--fraction: must be above 0 and at most 1 (r with the original behaviour), got {f}");

    /// <param name="prepare">Checks the command's own options (before any model is loaded) and returns the name the
    /// command goes by in messages, its settings as analysis/lab.json records them, and the study to run.</param>
    static Command Create(string name, string description, Func<ParseResult, (string Label, Dictionary<string, string> Settings, Action<LabRun, int, int> Study)> prepare, params Option[] extra)
    {
        var dir = new Argument<string>("run") { Description = "A run directory made by `selfinterp run --backend local`." };
        var trials = new Option<int>("--trials") { Description = "Fresh trials per scenario.", DefaultValueFactory = _ => 20 };
        var reports = new Option<int>("--reports") { Description = "Of those, trials whose report prompt is decoded.", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Engine threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var heldOut = new Option<bool>("--held-out") { Description = "Measure introspection training out of sample: itrained_first on the second half of the instilled scenarios and itrained_last on the first, in place of itrained_all (trained on all of them)." };
        var scenarios = new Option<int?>("--scenarios") { Description = $"Measure each model on only the first N of its instilled scenarios and the first N of its native ones (at least {LabLimits.MinScenarios}), to bound the work on a slow model; analysis/lab.json and the report mark the results as a reduced lab. Default: all." };
        var reportTokens = new Option<int?>("--report-tokens") { Description = "Decode at most N tokens of each report, to bound the work on a slow model; a reduced lab when fewer than the run's report_max_tokens (analysis/lab.json and the report say so). Default: the run's report_max_tokens." };
        var command = new Command(name, description);
        command.Arguments.Add(dir);
        // The wrapper tests measure the instilled model and the in-sample itrained model's report circuit: no held-out form.
        bool labCommand = name != "wrapper";
        foreach (var o in new Option[] { trials, reports, threads }.Concat(labCommand ? [heldOut, scenarios, reportTokens] : []).Concat(extra)) command.Options.Add(o);
        command.SetAction(p =>
        {
            int t = p.GetValue(trials), r = p.GetValue(reports);
            if (t < 8) throw new Core.Runs.UsageException($"--trials: need at least 8 trials per scenario to estimate five weights, got {t}");
            if (r < 1 || r > t) throw new Core.Runs.UsageException($"--reports: must be between 1 and --trials ({t}), got {r}");
            var (label, settings, study) = prepare(p);
            var run = LabRun.Open(p.GetValue(dir)!, label, p.GetValue(threads), labCommand && p.GetValue(heldOut),
                labCommand ? new LabLimits(p.GetValue(scenarios), p.GetValue(reportTokens)) : null);
            string analysis = Path.Combine(run.Path, PaperLayout.AnalysisDirectory);
            Directory.CreateDirectory(analysis);
            var entry = LabManifest.Describe(run, t, r, settings);
            if (entry.Reduced) Console.WriteLine(LabManifest.Note(label, entry));
            study(run, t, r);
            LabManifest.Record(analysis, label, entry);
            var (html, md) = WhiteBoxReport.Write(run.Path);
            Console.WriteLine($"report: {Path.GetFullPath(html)}");
            Console.WriteLine($"report: {Path.GetFullPath(md)}");
            return 0;
        });
        return command;
    }
}
