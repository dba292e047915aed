using SelfInterp.Experiments;
using System.CommandLine;
using SelfInterp.Backends.OpenAI;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.Runs;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp models`: the models of a run. `set` registers models trained elsewhere; `cancel` stops a job.</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "The models of a run: register models trained outside SelfInterp, cancel a fine-tuning job.");
        command.Subcommands.Add(Set());
        command.Subcommands.Add(Cancel());
        return command;
    }

    private static Command Set()
    {
        var run = new Argument<string>("RUN") { Description = "The run directory." };
        var pairs = new Argument<string[]>("KEY=ID") { Description = "instilled=ID, itrained_first=ID, itrained_last=ID, itrained_all=ID: model ids as the inference server names them.", Arity = ArgumentArity.OneOrMore };
        var replace = new Option<bool>("--replace") { Description = "Replace a model already registered: what was made with the old one is set aside (its stages run again), and the old id is recorded in run.json." };
        var command = new Command("set", "Register models trained elsewhere; the same `run` command then uses them.") { run, pairs, replace };
        command.SetAction(p =>
        {
            using var dir = RunDirectory.Open(p.GetValue(run)!);
            var stages = ExperimentCatalog.Get(dir.Manifest.Config.Experiment).Open(dir.Manifest.Config, dir.Path).Stages.Stages;
            var fineTunes = stages.OfType<FineTuneStage>().ToDictionary(s => s.ResultKey, s => s.FromKey);
            foreach (var (key, id) in ModelRegistration.Set(dir, fineTunes, p.GetValue(pairs)!, p.GetValue(replace), stages))
                Console.WriteLine($"{key} = {id}");
            var missing = fineTunes.Keys.Where(k => dir.Manifest.Models.GetValueOrDefault(k)?.Id is null).ToList();
            Console.WriteLine(missing.Count == 0
                ? "every model is registered; the same `selfinterp run` command goes on"
                : $"still to train: {string.Join(", ", missing)}; the same `selfinterp run` command goes on as far as the registered models allow");
            return 0;
        });
        return command;
    }

    private static Command Cancel()
    {
        var run = new Argument<string>("RUN") { Description = "The run directory." };
        var key = new Argument<string>("KEY") { Description = "The model whose job to cancel: instilled, itrained_first, itrained_last or itrained_all." };
        var command = new Command("cancel", "Cancel the fine-tuning job recorded for a model of the run (OpenAI or Together).") { run, key };
        command.SetAction(async (p, ct) =>
        {
            using var dir = RunDirectory.Open(p.GetValue(run)!);
            var k = p.GetValue(key)!;
            var job = dir.Manifest.Models.GetValueOrDefault(k)?.JobId
                ?? throw new UsageException($"{dir.ManifestPath}: field 'models.{k}.job_id': no job recorded for '{k}'");
            if (dir.Manifest.Config.Backend != "openai") throw new UsageException($"{dir.ManifestPath}: jobs of the {dir.Manifest.Config.Backend} backend run in-process; stop the run instead");
            var backend = OpenAIBackend.FromEnvironment(dir.Manifest.Config, Environment.GetEnvironmentVariable, null);
            Console.WriteLine($"{k}: job {job}: {await backend.FineTuning.CancelAsync(job, ct)}");
            return 0;
        });
        return command;
    }
}
