using System.CommandLine;
using System.Globalization;
using SelfInterp.Backends;
using SelfInterp.Backends.FineTuning;
using SelfInterp.Organisms;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Cli.Output;
using SelfInterp.Core.Experiments;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp run`: an experiment into a run directory, resumable with the same command.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var outDir = new Option<string?>("--out") { Description = "Run directory. Default: a new directory under ./runs. An existing run directory is resumed." };
        var experiment = new Option<string>("--experiment") { Description = $"Which experiment: {string.Join(", ", ExperimentCatalog.All.Select(e => e.Name))} (`selfinterp experiments` describes them).", DefaultValueFactory = _ => ExperimentCatalog.Default };
        var preset = new Option<string>("--preset") { Description = "quick (20 + 20 scenarios) or paper (100 + 100).", DefaultValueFactory = _ => "quick" };
        var backend = new Option<string>("--backend") { Description = $"Which model: {string.Join(", ", BackendFactory.Names)}.", DefaultValueFactory = _ => "local" };
        var baseModel = new Option<string?>("--base-model") { Description = $"Base model id. local backend: a shipped organism ({string.Join(", ", ShippedOrganisms.Names)}; {ShippedOrganisms.DefaultAlias} = the default, {ShippedOrganisms.Default}) or a directory holding one. Default: the backend's own." };
        var baseUrl = new Option<string?>("--base-url") { Description = "openai backend: the service's URL, e.g. http://127.0.0.1:8000/v1 for `selfinterp serve`. Default: OPENAI_BASE_URL, else OpenAI. The key is read from OPENAI_API_KEY only." };
        var options = new Option<string[]>("--option") { Description = "Backend setting KEY=VALUE (repeatable), e.g. report_noise=0 for the simulated backend, instill_method=embeddings|lora|full (with instill_lr, instill_epochs, lora_rank, lora_alpha) for the local one.", AllowMultipleArgumentsPerToken = false };
        var fineTune = new Option<string?>("--fine-tune") { Description = $"openai backend: who fine-tunes: {string.Join(", ", FineTuneProviders.Names)} (any trainer: the run stops with the files to train on; `selfinterp models set` registers the results). Default: openai. Recorded in run.json." };
        var dryRun = new Option<bool>("--dry-run") { Description = "With --fine-tune together: write the datasets and show the requests that would be sent to Together; pay for nothing. With TOGETHER_API_KEY set, also the pre-flight: Together's model listings asked whether the base model can be fine-tuned this way and its fine-tunes served (exit 2 if not)." };
        var keepGoing = new Option<bool>("--keep-going") { Description = "Do not stop when instillation failed (choices near chance) or the model's replies are mostly unreadable." };

        // Each experiment's own options, e.g. --cross-base-model; given to a different experiment, they are refused.
        // Experiments may share an option's name (--trigger: behavior and backdoor): one option, each its own meaning.
        var experimentOptions = ExperimentCatalog.All
            .SelectMany(e => e.Options.Select(o => (Experiment: e.Name, o.Name, o.Description)))
            .GroupBy(o => o.Name)
            .Select(g => (Experiments: g.Select(o => o.Experiment).ToList(), Name: g.Key,
                Option: new Option<string?>("--" + g.Key) { Description = string.Join("; ", g.Select(o => $"{o.Experiment}: {o.Description}")) }))
            .ToList();

        var command = new Command("run", "Run an experiment (default: the paper's protocol) into a run directory, then analyse it.");
        foreach (var o in new Option[] { outDir, experiment, preset, backend, baseModel, baseUrl, options, fineTune, dryRun, keepGoing }) command.Options.Add(o);
        foreach (var o in experimentOptions) command.Options.Add(o.Option);
        common.AddTo(command);
        command.SetAction(async (p, ct) =>
        {
            var exp = ExperimentCatalog.Get(p.GetValue(experiment)!);
            var own = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var o in experimentOptions)
                if (p.GetValue(o.Option) is { } value)
                    own[o.Name] = o.Experiments.Contains(exp.Name) ? value
                        : throw new UsageException($"--{o.Name} belongs to the '{string.Join("', '", o.Experiments)}' experiment, not '{exp.Name}'");
            var b = p.GetValue(backend)!;
            var presetName = p.GetValue(preset)!;
            var backendOptions = ParseOptions(p.GetValue(options) ?? []);
            var config = common.Apply(new RunConfig(), p) with
            {
                Experiment = exp.Name,
                Preset = presetName,
                Backend = b,
                BaseModel = b == "local" ? ShippedOrganisms.Resolve(p.GetValue(baseModel), backendOptions) : p.GetValue(baseModel) ?? BackendFactory.DefaultBaseModel(b),
                BackendOptions = backendOptions,
                FineTune = p.GetValue(fineTune),
                Settings = exp.Settings(presetName, own),
            };
            CheckBaseModels(b, config.BaseModel, own);
            if (config.FineTune is { } ft && (b != "openai" || !FineTuneProviders.Names.Contains(ft)))
                throw new UsageException(b != "openai"
                    ? $"--fine-tune applies to --backend openai (the {b} backend fine-tunes itself)"
                    : $"--fine-tune '{ft}' is not a fine-tuning provider (known: {string.Join(", ", FineTuneProviders.Names)})");
            if (p.GetValue(dryRun) && config.FineTune != FineTuneProviders.Together)
                throw new UsageException("--dry-run shows the requests of --fine-tune together; give --backend openai --fine-tune together");
            if (p.GetValue(baseUrl) is { } url) config.BackendOptions["base_url"] = url;
            var total = System.Diagnostics.Stopwatch.StartNew();
            var dir = p.GetValue(outDir) ?? Path.Combine("runs", DefaultDirectoryName(config, DateTime.Now));
            // Check everything before the run directory exists, so bad input leaves nothing behind.
            var planned = exp.Open(config);
            if (p.GetValue(dryRun)) return await DryRunAsync(config, planned, dir, ct);
            RunDirectory? run = null;
            var model = BackendFactory.Create(config, planned.Catalog, planned.Codec, dir,
                usage: delta => run!.Update(m => { foreach (var (k, v) in delta) m.Usage[k] = m.Usage.GetValueOrDefault(k) + v; }));
            Runner.CheckServes(model, planned);
            // Before the first job is paid for: does the provider fine-tune this model this way, and serve the result?
            if (await PreflightAsync(model, ct) is { } findings)
            {
                Console.Write(findings.Render());
                if (!findings.Ok) throw new UsageException($"the pre-flight with Together found {findings.Problems.Count} problem(s), listed above; nothing was paid for");
            }
            run = RunDirectory.OpenOrCreate(dir, config);
            using var runLock = run;
            Console.WriteLine($"run directory: {Path.GetFullPath(run.Path)}");
            await RunProgress.RunAsync(async progress => { await Runner.RunAsync(run, planned, model, progress, ct, checks: p.GetValue(keepGoing) ? ReplyChecks.Off : ReplyChecks.Default); return 0; });
            var analysis = System.Diagnostics.Stopwatch.StartNew();
            var outcome = planned.Analyze(run.Path);
            analysis.Stop();
            Console.Write(outcome.Table);
            Console.WriteLine($"report: {Path.GetFullPath(outcome.ReportHtml)}");
            Console.WriteLine($"time: {Seconds(total.Elapsed)} s in all, of which the analysis and report {Seconds(analysis.Elapsed)} s");
            Console.WriteLine($"done: {Path.GetFullPath(run.Path)} (summary: {Path.GetRelativePath(run.Path, outcome.SummaryFile)})");
            return 0;
        });
        return command;
    }

    /// <summary>Base model ids checked before any work: one word each (an empty id or one with a space failed at the
    /// service, after the datasets were written), and on the simulated backend its one base model (another failed at
    /// the first fine-tune).</summary>
    private static void CheckBaseModels(string backend, string baseModel, IReadOnlyDictionary<string, string> own)
    {
        const string cross = Experiments.CrossPrediction.CrossPredictionExperiment.CrossBaseModelOption;
        const string only = Backends.Simulated.SimulatedBackend.BaseModelId;
        foreach (var (option, id) in new[] { ("--base-model", (string?)baseModel), ("--" + cross, own.GetValueOrDefault(cross)) })
        {
            if (id is null) continue;
            if (backend != "local" && ModelIds.Problem(id) is { } problem)
                throw new UsageException($"{option} '{ModelIds.Visible(id)}': the model id {problem}; a model id is one word, as the service names it");
            if (backend == "simulated" && id != only)
                throw new UsageException($"{option} '{id}': the simulated backend has one base model, '{only}'");
        }
    }

    /// <summary>
    /// Writes the datasets into the run directory (a real run resumes from them), prints Together's requests, and,
    /// with a key, the pre-flight: Together's own listings read (nothing is created or paid for).
    /// </summary>
    private static async Task<int> DryRunAsync(RunConfig config, IExperimentRun planned, string dir, CancellationToken ct)
    {
        var shared = OpenAIBackendOptions.From(config.BackendOptions, Environment.GetEnvironmentVariable);
        var together = TogetherOptions.From(config.BackendOptions, shared, config.BaseModel);
        using var run = RunDirectory.OpenOrCreate(dir, config);
        planned.Prepare(run);
        // Listing the pending fine-tunes reads only the run and the datasets: no backend is asked anything.
        var context = new RunContext(run, null!, SilentProgress.Instance);
        Console.Write(TogetherPreview.Render(ExternalFineTunes.Pending(context, planned.Stages.Stages), together));
        Console.WriteLine();
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TogetherOptions.ApiKeyVariable)))
            Console.WriteLine($"pre-flight: not run ({TogetherOptions.ApiKeyVariable} is not set): with the key, --dry-run asks Together's model listings whether the route works before anything is paid for");
        else if (await PreflightAsync(OpenAIBackend.FromEnvironment(config, Environment.GetEnvironmentVariable, null), ct) is { } findings)
        {
            Console.Write(findings.Render());
            if (!findings.Ok)
                throw new UsageException($"the pre-flight with Together found {findings.Problems.Count} problem(s), listed above; the datasets are in {Path.GetFullPath(run.Path)}");
        }
        Console.WriteLine($"\ndatasets written to {Path.GetFullPath(run.Path)}; the same command without --dry-run (and with {TogetherOptions.ApiKeyVariable} set) sends them");
        return 0;
    }

    /// <summary>Together's pre-flight when the run fine-tunes there; null for any other route.</summary>
    private static async Task<TogetherPreflight.Findings?> PreflightAsync(Core.Backends.IModelBackend backend, CancellationToken ct) =>
        backend is OpenAIBackend { FineTuning: TogetherFineTuning together } openai
            ? await together.PreflightAsync(ownInference: !openai.AsksTogether, ct)
            : null;

    /// <summary>A new run's directory under runs/: when, which experiment, preset and backend.</summary>
    public static string DefaultDirectoryName(RunConfig config, DateTime now) =>
        $"{now:yyyyMMdd-HHmmss}-{config.Experiment}-{config.Preset}-{config.Backend}";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);

    public static SortedDictionary<string, string> ParseOptions(string[] pairs)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) throw new UsageException($"--option '{pair}': expected KEY=VALUE");
            // The second of two values would silently win: refuse, so the run uses the value the user meant.
            if (!result.TryAdd(pair[..eq], pair[(eq + 1)..]))
                throw new UsageException($"--option {pair[..eq]} is given twice ('{result[pair[..eq]]}' and '{pair[(eq + 1)..]}'): give it once");
        }
        return result;
    }
}
