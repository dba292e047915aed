using SelfInterp.Experiments;
using System.Diagnostics;
using System.Text.Json.Nodes;
using SelfInterp.Backends;
using SelfInterp.Backends.ChatClient;
using SelfInterp.Backends.FineTuning;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Datasets;
using SelfInterp.Analysis.Layout;
using SelfInterp.Experiments.Preferences;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Server;

namespace SelfInterp.Cli.Tests;

/// <summary>
/// `run --fine-tune external` end to end, as a user with their own trainer would go: the run stops (exit 4) naming
/// what to train; the models are trained elsewhere — here by `selfinterp serve`'s own fine-tuning jobs on the shipped
/// organism — and registered with `models set`; the same command then elicits through the server and ends with the
/// summary of the in-process local run. No provider's key reaches a file of the run, the server's files, or the output.
/// </summary>
public class ExternalFineTuningTests
{
    private const string OpenAIKey = "sk-openai-test-KEY-71c2e9", TogetherKey = "together-test-KEY-5b8d0f";
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "selfinterp.dll");
    private readonly List<string> _output = [];

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[OpenAIBackendOptions.ApiKeyVariable] = OpenAIKey;
        psi.Environment[TogetherOptions.ApiKeyVariable] = TogetherKey;
        psi.Environment.Remove(OpenAIBackendOptions.BaseUrlVariable);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        _output.Add(stdout + err.Result);
        return (p.ExitCode, stdout, err.Result);
    }

    private static string Temp(string label) => Directory.CreateTempSubdirectory(label).FullName;

    [Fact]
    public async Task Quick_preset_trained_elsewhere_ends_with_the_in_process_summary()
    {
        var local = Path.Combine(Temp("ext-local"), "run");
        Assert.Equal(0, Run("run", "--backend", "local", "--preset", "quick", "--out", local).Code);

        var models = Temp("ext-serve");
        var catalog = ScenarioCatalog.Load(null);
        var serveConfig = PreferencesExperiment.Config("quick") with { Backend = "local", BaseModel = BackendFactory.DefaultBaseModel("local") };
        var codec = new PreferencesExperiment().Open(serveConfig).Codec;
        await using var server = await SelfInterpServer.StartAsync(
            new ServerOptions(models, serveConfig.BaseModel, Port: 0, ApiKey: OpenAIKey),
            BackendFactory.Create(serveConfig, catalog, codec, models, modelsDirectory: models),
            DecisionPrompts.Classifier(codec));
        var url = server.BaseUrl.ToString();
        var dir = Path.Combine(Temp("ext-remote"), "run");
        string[] command = ["run", "--backend", "openai", "--fine-tune", "external", "--base-url", url, "--preset", "quick", "--out", dir];

        // 1. Everything written, then a stop before the first fine-tune naming every file and where each starts.
        var (code, _, err) = Run(command);
        Assert.True(code == 4, err);
        var config = RunManifest.Load(Path.Combine(dir, PaperLayout.RunManifestFile)).Config;
        Assert.Equal("external", config.FineTune);
        foreach (var file in new[] { DatasetBuilder.InstillFileName(20), DatasetBuilder.InstillValidationFileName(20), DatasetBuilder.ItrainFirstFileName(20),
                     DatasetBuilder.ItrainLastFileName(20), DatasetBuilder.ItrainAllFileName(20) })
        {
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
            Assert.Contains(Path.Combine(Path.GetFullPath(dir), file), err);
        }
        Assert.Contains($"instilled: start from '{BackendFactory.DefaultBaseModel("local")}' (base)", err);
        Assert.Contains("itrained_first: start from the model you register as 'instilled'", err);
        Assert.Contains($"seed {Seed(config, "instilled")}", err);
        Assert.Contains("selfinterp models set", err);

        // 2. The instilled model, trained by serve's jobs, registered; the run goes on to its choices and reports, then stops again.
        var trainer = OpenAIBackend.FromEnvironment(new RunConfig { Backend = "openai", BackendOptions = new(StringComparer.Ordinal) { ["base_url"] = url, ["poll_seconds"] = "0.05" } },
            v => v == OpenAIBackendOptions.ApiKeyVariable ? OpenAIKey : null, null);
        async Task<string> Train(string key, string from, string file, string? validation) =>
            await trainer.FineTuneAsync(new FineTuneRequest(from, key, Path.Combine(dir, file), validation is null ? null : Path.Combine(dir, validation), [],
                Seed(config, key)), null, default);
        var instilled = await Train("instilled", BackendFactory.DefaultBaseModel("local"), DatasetBuilder.InstillFileName(20), DatasetBuilder.InstillValidationFileName(20));
        Assert.Equal(0, Run("models", "set", dir, $"instilled={instilled}").Code);
        (code, _, err) = Run(command);
        Assert.True(code == 4, err);
        Assert.Contains($"itrained_all: start from '{instilled}' (instilled)", err);
        Assert.DoesNotContain("  instilled:", err);
        Assert.True(File.Exists(Path.Combine(dir, PaperLayout.InstilledSelections(BackendFactory.DefaultBaseModel("local")))));

        // 3. The three introspection-trained models, then the same command to the end.
        var itrained = new List<string>();
        foreach (var (key, file) in new[] { ("itrained_first", DatasetBuilder.ItrainFirstFileName(20)), ("itrained_last", DatasetBuilder.ItrainLastFileName(20)), ("itrained_all", DatasetBuilder.ItrainAllFileName(20)) })
            itrained.Add($"{key}={await Train(key, instilled, file, null)}");
        Assert.Equal(0, Run(["models", "set", dir, .. itrained]).Code);
        (code, _, err) = Run(command);
        Assert.True(code == 0, err);

        Assert.Equal(WithoutTiming(Path.Combine(local, PaperLayout.AnalysisDirectory, PaperLayout.SummaryFile)),
            WithoutTiming(Path.Combine(dir, PaperLayout.AnalysisDirectory, PaperLayout.SummaryFile)));
        var manifest = RunManifest.Load(Path.Combine(dir, PaperLayout.RunManifestFile));
        Assert.All(new[] { "instilled", "itrained_first", "itrained_last", "itrained_all" }, k => Assert.True(manifest.Models[k].Registered));

        // No key in any file of the run or of the server, nor in anything printed.
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Concat(Directory.EnumerateFiles(models, "*", SearchOption.AllDirectories)).ToList();
        Assert.Contains(files, f => f.EndsWith(PaperLayout.RunManifestFile));
        foreach (var file in files.Where(f => !f.EndsWith(".safetensors")))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain(OpenAIKey, text);
            Assert.DoesNotContain(TogetherKey, text);
        }
        Assert.All(_output, o => { Assert.DoesNotContain(OpenAIKey, o); Assert.DoesNotContain(TogetherKey, o); });
    }

    [Fact]
    public void Bad_registrations_exit_2_naming_the_field()
    {
        var dir = Path.Combine(Temp("reg"), "run");
        Assert.Equal(4, Run("run", "--backend", "openai", "--fine-tune", "external", "--base-url", "http://127.0.0.1:9/v1", "--out", dir).Code);
        var (c1, _, e1) = Run("models", "set", dir, "instiled=x");
        Assert.Equal(2, c1);
        Assert.Contains("'instiled' is not a model this run fine-tunes", e1);
        Assert.Equal(0, Run("models", "set", dir, "instilled=org/a").Code);
        var (c2, _, e2) = Run("models", "set", dir, "instilled=org/b");
        Assert.Equal(2, c2);
        Assert.Contains("field 'models.instilled.id' already holds 'org/a'", e2);
        var (c3, _, e3) = Run("run", "--backend", "local", "--fine-tune", "together", "--out", Path.Combine(Temp("reg"), "x"));
        Assert.Equal(2, c3);
        Assert.Contains("--fine-tune applies to --backend openai", e3);
    }

    private static ulong Seed(RunConfig config, string key) => SeededStream.DeriveSeed(config.Seeds.FinetuningJob, key) % 1_000_000_000;

    private static string WithoutTiming(string path)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        node.Remove("elapsed_s");
        return node.ToJsonString();
    }
}
