using System.CommandLine;
using SelfInterp.Analysis;
using SelfInterp.Analysis.Report;
using SelfInterp.Analysis.Summary;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp analyze DIR [--json]`: the run's experiment's analysis (the paper's statistics for the authors' files).</summary>
public static class AnalyzeCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "A directory in the paper layout (a run of ours, or the authors' published files)." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON instead of a table." };
        var scenarios = new Option<string?>("--scenarios") { Description = "scenarios.csv to use. Default: DIR/scenarios.csv, else the one in DIR's parent." };
        var weights = new Option<string?>("--weights") { Description = "instilled_weights.csv to use. Default: DIR/instilled_weights.csv, else the one in DIR's parent." };
        var output = new Option<string?>("--out") { Description = "Write analysis/ and the report here instead of into DIR (which is then only read)." };
        var command = new Command("analyze", "Fit learned weights per scenario and compute instillation and report-accuracy statistics; writes DIR/analysis/ and DIR/report.html, report.md (or into --out).");
        command.Arguments.Add(dir);
        command.Options.Add(json);
        command.Options.Add(scenarios);
        command.Options.Add(weights);
        command.Options.Add(output);
        command.SetAction(p =>
        {
            var path = p.GetValue(dir)!;
            if (!Directory.Exists(path)) throw new UsageException($"{path}: no such directory");
            if (p.GetValue(output) is { } outPath && File.Exists(outPath)) throw new UsageException($"--out {outPath}: is a file; give a directory for analysis/ and the report");
            var outcome = ExperimentCatalog.Analyze(path, new AnalysisOptions
            {
                ScenariosFile = p.GetValue(scenarios) is { } s ? Path.GetFullPath(s) : null,
                WeightsFile = p.GetValue(weights) is { } w ? Path.GetFullPath(w) : null,
                OutputDirectory = p.GetValue(output) is { } o ? Path.GetFullPath(o) : null,
            });
            Console.Write(p.GetValue(json) ? File.ReadAllText(outcome.SummaryFile) : outcome.Table);
            // With --json, stdout is the JSON alone; the report's path goes to stderr.
            var report = $"report: {Path.GetFullPath(outcome.ReportHtml)}";
            if (p.GetValue(json)) Console.Error.WriteLine(report); else Console.WriteLine(report);
            return 0;
        });
        return command;
    }
}
