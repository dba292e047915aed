using System.CommandLine;
using SelfInterp.Organisms;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Runs;
using Spectre.Console;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp pretrain`: trains the model organism from scratch with our engine.</summary>
public static class PretrainCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Directory for the checkpoint.", Required = true };
        var recipe = new Option<string?>("--recipe") { Description = $"A recipe.json (e.g. a shipped model's, models/naive/recipe.json, to reproduce it), or a built-in recipe by name: {string.Join(", ", BuiltInRecipes.Names)} (docs/organism.md); a bare name is always the built-in one (write ./naive for a directory so named). Default: naive, the organism `run` uses by default." };
        var seed = new Option<ulong?>("--seed") { Description = "Override the recipe's seed (another pretraining seed of the same recipe)." };
        var steps = new Option<int?>("--steps") { Description = "Override the recipe's number of optimizer steps." };
        var from = new Option<string?>("--from") { Description = "A complete pretraining (a directory) of the same recipe and seed but for how the never-trained names are reset at the end (unfamiliar_name_noise, unfamiliar_name_covariance): its steps are taken and only the reset is redone, which writes what pretraining from scratch writes, in seconds (a reset ablation over many seeds)." };
        var threads = new Option<int>("--threads") { Description = "Threads (the bytes are the same at any count).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("pretrain", "Train the model organism from scratch on a corpus generated from the catalog.");
        foreach (var o in new Option[] { outDir, recipe, seed, steps, from, threads }) command.Options.Add(o);
        command.SetAction((p, ct) =>
        {
            // Checked before anything is trained or written: a bad count would otherwise save an untrained model or fail late.
            if (p.GetValue(steps) is int n and < 1) throw new UsageException($"--steps {n}: the number of optimizer steps must be at least 1");
            int threadCount = p.GetValue(threads);
            if (threadCount < 1) throw new UsageException($"--threads {threadCount}: at least 1 thread");
            // Without --recipe, the organism `run` defaults to (ShippedOrganisms.Default), so `pretrain` then `run` pair up.
            var r = BuiltInRecipes.Resolve(p.GetValue(recipe) ?? ShippedOrganisms.Default, "--recipe");
            if (p.GetValue(steps) is int stepCount) r = r with { Curriculum = r.Curriculum with { Steps = stepCount } };
            if (p.GetValue(seed) is ulong seedValue) r = r with { Seed = seedValue };
            var dir = p.GetValue(outDir)!;
            CheckOut(dir);
            var catalog = ScenarioCatalog.Embedded();
            string name = p.GetValue(recipe) is { } given && given != ShippedOrganisms.DefaultAlias ? given : ShippedOrganisms.Default;
            if (p.GetValue(from) is { } finished)
            {
                if (!Directory.Exists(finished)) throw new UsageException($"--from {finished}: no such directory");
                if (Path.GetFullPath(finished).TrimEnd(Path.DirectorySeparatorChar) == Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar))
                    throw new UsageException($"--from {finished}: is --out itself; give a new directory for the organism");
                Pretraining.Refinish(r, catalog, finished, dir);
                Console.WriteLine($"saved: {Path.GetFullPath(dir)} (recipe {name}: the steps of {finished}, the unfamiliar names reset again)");
                return Task.FromResult(0);
            }
            Console.WriteLine($"pretraining the organism into {dir} (recipe {name}): {r.Shape.Layers} layers, d={r.Shape.Dim}, {r.Curriculum.Steps} steps" +
                              (PretrainingResume.ResumableStep(dir, r) is int resumeAfter ? $", resumed after step {resumeAfter + 1} (a stopped pretraining's last checkpoint)" : ""));
            try { Train(r, catalog, dir, threadCount, ct); }
            catch (OperationCanceledException)
            {
                // It resumes from its last partial checkpoint (every Pretraining.CheckpointEvery steps), if it reached one.
                Console.Error.WriteLine(PretrainingResume.ResumableStep(dir, r) is int last
                    ? $"stopped: the checkpoint in {dir} is unfinished; the same command resumes it after step {last + 1} of {r.Curriculum.Steps} (its last checkpoint)."
                    : $"stopped before its first checkpoint (step {Pretraining.CheckpointEvery}): the checkpoint in {dir} is unfinished and the same command starts it over.");
                return Task.FromResult(CliHost.Failure);
            }
            Console.WriteLine($"saved: {Path.GetFullPath(dir)}");
            PrintProfile();
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>
    /// Pretraining starts over in the directory it is given (or resumes a stopped one there), so it may go into a new or empty directory or an organism's
    /// (one holding recipe.json); anything else, a run directory say, would get an organism's files among its own.
    /// </summary>
    private static void CheckOut(string dir)
    {
        if (File.Exists(dir)) throw new UsageException($"--out {dir}: is a file; give a directory for the organism");
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any() && !File.Exists(Path.Combine(dir, OrganismRecipe.FileName)))
            throw new UsageException($"--out {dir}: holds files and is not an organism's directory (no {OrganismRecipe.FileName}); " +
                "give a new or empty directory, or an organism's to pretrain it again");
    }

    /// <summary>With SELFINTERP_PROFILE=1, the time each kernel took over the whole pretraining (stderr).</summary>
    private static void PrintProfile()
    {
        if (!SelfInterp.Engine.Kernels.KernelProfiler.Enabled) return;
        foreach (var (name, (ms, calls)) in SelfInterp.Engine.Kernels.KernelProfiler.Snapshot().OrderByDescending(kv => kv.Value.Ms))
            Console.Error.WriteLine($"profile {name,-20} {ms / 1000,9:F2} s ({calls} calls)");
    }

    private static void Train(OrganismRecipe r, ScenarioCatalog catalog, string dir, int threadCount, CancellationToken ct)
    {
        if (!Output.Terminal.LiveProgress)
        {
            // A log file gets a plain line every 5% of the steps, not a redrawn bar.
            int every = Math.Max(1, r.Curriculum.Steps / 20);
            Pretraining.Run(r, catalog, dir, threadCount, s =>
            {
                if ((s.Step + 1) % every == 0 || s.Step + 1 == r.Curriculum.Steps)
                    Console.WriteLine($"step {s.Step + 1}/{r.Curriculum.Steps}: loss {s.Loss:F3}, accuracy {s.DecisionAccuracy:P0}");
            }, ct);
        }
        else
            AnsiConsole.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("pretraining", maxValue: r.Curriculum.Steps);
                    Pretraining.Run(r, catalog, dir, threadCount, s =>
                    {
                        task.Value = s.Step + 1;
                        task.Description = $"pretraining: loss {s.Loss:F3}, accuracy {s.DecisionAccuracy:P0}";
                    }, ct);
                });
    }
}
