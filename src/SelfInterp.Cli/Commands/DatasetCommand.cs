using System.CommandLine;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp dataset build`: the fine-tuning files and the paper-layout inputs, without running anything.</summary>
public static class DatasetCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var outDir = new Option<string>("--out") { Description = "Directory to write.", Required = true };
        var instilled = new Option<int>("--instilled") { Description = "Scenarios to instil (0..N-1).", DefaultValueFactory = _ => 100 };
        var native = new Option<int>("--native") { Description = "Native scenarios (from 100).", DefaultValueFactory = _ => 100 };
        var examples = new Option<int>("--examples") { Description = "Decision examples per instilled scenario.", DefaultValueFactory = _ => 50 };
        var validation = new Option<int>("--validation") { Description = "Validation examples per instilled scenario.", DefaultValueFactory = _ => 10 };

        var build = new Command("build", "Write scenarios.csv, instilled_weights.csv, the instillation and introspection-training JSONL files, and target_choices.csv.");
        foreach (var o in new Option[] { outDir, instilled, native, examples, validation }) build.Options.Add(o);
        common.AddTo(build);
        build.SetAction(p =>
        {
            var sizes = new PreferencesConfig
            {
                Instilled = p.GetValue(instilled),
                Native = p.GetValue(native),
                Examples = p.GetValue(examples),
                Validation = p.GetValue(validation),
            };
            var config = common.Apply(new RunConfig { Preset = "custom", Settings = sizes.ToJson() }, p);
            var plan = PreferencesPlan.Create(config);
            var dir = p.GetValue(outDir)!;
            // A run's datasets, scenarios.csv and instilled_weights.csv are what it analyses: others written over them
            // changed its numbers with exit 0.
            if (File.Exists(dir)) throw new UsageException($"--out {dir}: is a file; give a directory");
            if (File.Exists(Path.Combine(dir, RunDirectory.ManifestFile)))
                throw new UsageException($"--out {dir}: is a run directory (it holds {RunDirectory.ManifestFile}); its datasets are the run's own: give another directory");
            var data = DatasetBuilder.Build(plan, dir);
            Console.WriteLine($"wrote {dir}: {data.Instill.Count} instillation examples, " +
                              $"{sizes.Instilled * sizes.Validation} validation examples, " +
                              $"introspection sets of {data.First.Examples.Count} / {data.Last.Examples.Count} / {data.All.Examples.Count}");
            return 0;
        });

        var command = new Command("dataset", "Build fine-tuning datasets.");
        command.Subcommands.Add(build);
        return command;
    }
}
