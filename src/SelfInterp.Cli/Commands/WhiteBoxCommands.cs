using System.CommandLine;
using SelfInterp.Analysis.Layout;
using SelfInterp.WhiteBox;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp probe RUN`, `selfinterp intervene RUN` and `selfinterp wrapper RUN`: the white-box lab on a run's local models
/// (docs/white-box.md). Both write into RUN/analysis and refresh RUN/whitebox.html and whitebox.md.</summary>
public static class WhiteBoxCommands
{
    public static Command Probe() => Create("probe",
        "Ridge probes per layer on the residual stream of the run's base, instilled and itrained models (local backend only): analysis/probes.csv and whitebox.html.",
        (run, trials, reports) =>
        {
            var rows = ProbeStudy.Run(run, new ProbeStudy.Settings(trials, reports), Console.WriteLine);
            ProbeStudy.Write(Path.Combine(run.Path, PaperLayout.AnalysisDirectory, ProbeStudy.FileName), rows);
            Console.Write(WhiteBoxHeadline.Probes(rows));
        });

    public static Command Intervene() => Create("intervene",
        "Causal tests on the run's instilled and itrained models (local backend only): steering, decision path only, report path only, each against a no-intervention control; analysis/interventions.csv and whitebox.html.",
        (run, trials, reports) =>
        {
            var rows = InterventionStudy.Run(run, new InterventionStudy.Settings(trials, reports), Console.WriteLine);
            InterventionStudy.Write(Path.Combine(run.Path, PaperLayout.AnalysisDirectory, InterventionStudy.FileName), rows);
            Console.Write(WhiteBoxHeadline.Interventions(rows));
        });

    public static Command Wrapper() => Create("wrapper",
        "The wrapper test by pruning (local backend only): revert the parameters instillation moved most to the base model's values; do the base preferences revive, and do reports follow the choices? analysis/wrapper.csv and whitebox.html.",
        (run, trials, reports) =>
        {
            var rows = WrapperStudy.Run(run, trials, reports, Console.WriteLine);
            WrapperStudy.Write(Path.Combine(run.Path, PaperLayout.AnalysisDirectory, WrapperStudy.FileName), rows);
            Console.Write(WhiteBoxHeadline.Wrapper(rows));
        });

    static Command Create(string name, string description, Action<LabRun, int, int> study)
    {
        var dir = new Argument<string>("run") { Description = "A run directory made by `selfinterp run --backend local`." };
        var trials = new Option<int>("--trials") { Description = "Fresh trials per scenario.", DefaultValueFactory = _ => 20 };
        var reports = new Option<int>("--reports") { Description = "Of those, trials whose report prompt is decoded.", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Engine threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command(name, description);
        command.Arguments.Add(dir);
        foreach (var o in new Option[] { trials, reports, threads }) command.Options.Add(o);
        command.SetAction(p =>
        {
            int t = p.GetValue(trials), r = p.GetValue(reports);
            if (t < 8) throw new Core.Runs.UsageException($"--trials: need at least 8 trials per scenario to estimate five weights, got {t}");
            if (r < 1 || r > t) throw new Core.Runs.UsageException($"--reports: must be between 1 and --trials ({t}), got {r}");
            var run = LabRun.Open(p.GetValue(dir)!, name, p.GetValue(threads));
            Directory.CreateDirectory(Path.Combine(run.Path, PaperLayout.AnalysisDirectory));
            study(run, t, r);
            var (html, md) = WhiteBoxReport.Write(run.Path);
            Console.WriteLine($"report: {Path.GetFullPath(html)}");
            Console.WriteLine($"report: {Path.GetFullPath(md)}");
            return 0;
        });
        return command;
    }
}
