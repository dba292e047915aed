using System.CommandLine;
using System.Globalization;
using SelfInterp.Analysis;
using SelfInterp.Analysis.Report;
using SelfInterp.Analysis.Summary;
using SelfInterp.Backends;
using SelfInterp.Backends.FineTuning;
using SelfInterp.Backends.OpenAI;
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
        var fineTune = new Option<string?>("--fine-tune") { Description = $"openai backend: who fine-tunes: {string.Join(", ", FineTuneProviders.Names)} (any trainer: the run stops with the files to train on; `selfinterp models set` registers the results). Default: openai. Recorded in run.json." };
        var dryRun = new Option<bool>("--dry-run") { Description = "With --fine-tune together: write the datasets and show the requests that would be sent to Together; send nothing (no key needed)." };
        var keepGoing = new Option<bool>("--keep-going") { Description = "Do not stop when instillation failed (choices near chance) or the model's replies are mostly unreadable." };

        var command = new Command("run", "Run the whole protocol: instil, introspection-train, elicit reports and choices, analyse.");
        foreach (var o in new Option[] { outDir, preset, backend, baseModel, baseUrl, options, fineTune, dryRun, keepGoing }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(async (p, ct) =>
        {
            var b = p.GetValue(backend)!;
            var config = common.Apply(Presets.Get(p.GetValue(preset)!), p) with
            {
                Backend = b,
                BaseModel = p.GetValue(baseModel) ?? BackendFactory.DefaultBaseModel(b),
                BackendOptions = ParseOptions(p.GetValue(options) ?? []),
                FineTune = p.GetValue(fineTune),
            };
            if (config.FineTune is { } ft && (b != "openai" || !FineTuneProviders.Names.Contains(ft)))
                throw new UsageException(b != "openai"
                    ? $"--fine-tune applies to --backend openai (the {b} backend fine-tunes itself)"
                    : $"--fine-tune '{ft}' is not a fine-tuning provider (known: {string.Join(", ", FineTuneProviders.Names)})");
            if (p.GetValue(dryRun) && config.FineTune != FineTuneProviders.Together)
                throw new UsageException("--dry-run shows the requests of --fine-tune together; give --backend openai --fine-tune together");
            if (p.GetValue(baseUrl) is { } url) config.BackendOptions["base_url"] = url;
            var dir = p.GetValue(outDir) ?? Path.Combine("runs", $"{DateTime.Now:yyyyMMdd-HHmmss}-{config.Preset}-{config.Backend}");
            // Check everything before the run directory exists, so bad input leaves nothing behind.
            var plan = ExperimentPlan.Create(config);
            var stages = RunPipeline.ModelStages(config, p.GetValue(keepGoing) ? ReplyChecks.Off : ReplyChecks.Default);
            if (p.GetValue(dryRun)) return DryRun(config, plan, dir, stages);
            RunDirectory? run = null;
            var model = BackendFactory.Create(config, plan.Catalog, dir,
                usage: delta => run!.Update(m => { foreach (var (k, v) in delta) m.Usage[k] = m.Usage.GetValueOrDefault(k) + v; }));
            run = RunDirectory.OpenOrCreate(dir, config);
            using var runLock = run;
            Console.WriteLine($"run directory: {Path.GetFullPath(run.Path)}");
            await RunProgress.RunAsync(progress => RunPipeline.RunAsync(run, plan, model, stages, progress, ct));
            var summary = Analyzer.Analyze(run.Path);
            Console.Write(SummaryTable.Render(summary));
            Console.WriteLine($"report: {Path.GetFullPath(RunReport.Write(run.Path, summary).Html)}");
            Console.WriteLine($"done: {Path.GetFullPath(run.Path)} (summary: {Path.Combine(PaperLayout.AnalysisDirectory, PaperLayout.SummaryFile)})");
            return 0;
        });
        return command;
    }

    /// <summary>Writes the datasets into the run directory (a real run resumes from them) and prints Together's requests.</summary>
    private static int DryRun(RunConfig config, ExperimentPlan plan, string dir, IReadOnlyList<IStage> stages)
    {
        var shared = OpenAIBackendOptions.From(config.BackendOptions, Environment.GetEnvironmentVariable);
        var together = TogetherOptions.From(config.BackendOptions, shared);
        using var run = RunDirectory.OpenOrCreate(dir, config);
        var data = Core.Datasets.DatasetBuilder.Build(plan, run.Path);
        Console.Write(TogetherPreview.Render(ExternalFineTunes.Pending(run, plan, data, stages), together));
        Console.WriteLine($"\ndatasets written to {Path.GetFullPath(run.Path)}; the same command without --dry-run (and with {TogetherOptions.ApiKeyVariable} set) sends them");
        return 0;
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
