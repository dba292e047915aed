using System.CommandLine;
using System.Globalization;
using SelfInterp.Analysis;
using SelfInterp.Analysis.Report;
using SelfInterp.Analysis.Summary;
using SelfInterp.Backends;
using SelfInterp.Core.Layout;
using SelfInterp.Cli.Output;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp run`: the whole protocol into a run directory, resumable with the same command.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var outDir = new Option<string?>("--out") { Description = "Run directory. Default: a new directory under ./runs. An existing run directory is resumed." };
        var preset = new Option<string>("--preset") { Description = "quick (20 + 20 scenarios) or paper (100 + 100).", DefaultValueFactory = _ => "quick" };
        var backend = new Option<string>("--backend") { Description = $"Which model: {string.Join(", ", BackendFactory.Names)}.", DefaultValueFactory = _ => "local" };
        var baseModel = new Option<string?>("--base-model") { Description = "Base model id. Default: the backend's own." };
        var baseUrl = new Option<string?>("--base-url") { Description = "openai backend: the service's URL, e.g. http://127.0.0.1:8000/v1 for `selfinterp serve`. Default: OPENAI_BASE_URL, else OpenAI. The key is read from OPENAI_API_KEY only." };
        var options = new Option<string[]>("--option") { Description = "Backend setting KEY=VALUE (repeatable), e.g. report_noise=0 for the simulated backend.", AllowMultipleArgumentsPerToken = false };

        var command = new Command("run", "Run the whole protocol: instil, introspection-train, elicit reports and choices, analyse.");
        foreach (var o in new Option[] { outDir, preset, backend, baseModel, baseUrl, options }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(async (p, ct) =>
        {
            var b = p.GetValue(backend)!;
            var config = common.Apply(Presets.Get(p.GetValue(preset)!), p) with
            {
                Backend = b,
                BaseModel = p.GetValue(baseModel) ?? BackendFactory.DefaultBaseModel(b),
                BackendOptions = ParseOptions(p.GetValue(options) ?? []),
            };
            if (p.GetValue(baseUrl) is { } url) config.BackendOptions["base_url"] = url;
            var dir = p.GetValue(outDir) ?? Path.Combine("runs", $"{DateTime.Now:yyyyMMdd-HHmmss}-{config.Preset}-{config.Backend}");
            // Check everything before the run directory exists, so bad input leaves nothing behind.
            var plan = ExperimentPlan.Create(config);
            RunDirectory? run = null;
            var model = BackendFactory.Create(config, plan.Catalog, dir,
                usage: delta => run!.Update(m => { foreach (var (k, v) in delta) m.Usage[k] = m.Usage.GetValueOrDefault(k) + v; }));
            run = RunDirectory.OpenOrCreate(dir, config);
            Console.WriteLine($"run directory: {Path.GetFullPath(run.Path)}");
            await RunProgress.RunAsync(progress => RunPipeline.RunAsync(run, plan, model, RunPipeline.ModelStages(config), progress, ct));
            var summary = Analyzer.Analyze(run.Path);
            Console.Write(SummaryTable.Render(summary));
            Console.WriteLine($"report: {Path.GetFullPath(RunReport.Write(run.Path, summary).Html)}");
            Console.WriteLine($"done: {Path.GetFullPath(run.Path)} (summary: {Path.Combine(PaperLayout.AnalysisDirectory, PaperLayout.SummaryFile)})");
            return 0;
        });
        return command;
    }

    public static SortedDictionary<string, string> ParseOptions(string[] pairs)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) throw new UsageException($"--option '{pair}': expected KEY=VALUE");
            result[pair[..eq]] = pair[(eq + 1)..];
        }
        return result;
    }
}
