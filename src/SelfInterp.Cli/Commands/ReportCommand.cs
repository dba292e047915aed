using System.CommandLine;
using SelfInterp.Analysis;
using SelfInterp.Analysis.Report;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp report DIR`: analyse a run directory and write DIR/report.html and DIR/report.md.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "A directory in the paper layout (a run of ours, or the authors' published files)." };
        var command = new Command("report", "Write DIR/report.html (self-contained, with the paper's figures) and DIR/report.md; analyses DIR first.");
        command.Arguments.Add(dir);
        command.SetAction(p =>
        {
            var path = p.GetValue(dir)!;
            if (!Directory.Exists(path)) throw new UsageException($"{path}: no such directory");
            var html = ExperimentCatalog.Analyze(path).ReportHtml;
            Console.WriteLine($"report: {Path.GetFullPath(html)}");
            Console.WriteLine($"report: {Path.GetFullPath(Path.ChangeExtension(html, ".md"))}");
            return 0;
        });
        return command;
    }
}
