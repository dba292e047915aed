using System.CommandLine;
using System.Globalization;
using SelfInterp.Organisms;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments.OrganismEvaluation;
using SelfInterp.WhiteBox;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp evaluate-organism`: the evaluation protocol of docs/organism.md, so anyone can re-check a recipe.</summary>
public static class EvaluateOrganismCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Directory of the evaluation: pretrain-{seed}/, runs/{organism}-{seed}/, evaluation.csv, evaluation_summary.csv, evaluation.md. An existing one is resumed.", Required = true };
        var organisms = new Option<string[]>("--organism") { Description = $"An organism to evaluate (repeatable): a shipped one ({string.Join(", ", ShippedOrganisms.Names)}) or a directory holding one (e.g. a `selfinterp pretrain --out` directory).", AllowMultipleArgumentsPerToken = false };
        var recipe = new Option<string?>("--recipe") { Description = "A recipe.json (or a directory holding one), or a built-in recipe's name (naive, reporter, ...; a bare name is always the built-in one: write ./naive for a directory so named) to pretrain at every --pretrain-seeds seed into DIR/pretrain-{seed}/ (skipped once complete)." };
        var pretrainSeeds = new Option<string?>("--pretrain-seeds") { Description = "Comma list of pretraining seeds for --recipe (the protocol asks for at least 3)." };
        var runSeeds = new Option<string>("--run-seeds")
        {
            Description = $"Comma list of run seeds (each a run's master seed). Default: fresh seeds {string.Join(",", EvaluationPlan.DefaultRunSeeds)}. " +
                          $"Seeds {string.Join(",", EvaluationPlan.DevelopmentSeeds)} are the development seeds, on which designs and settings are chosen: figures on them are not an evaluation.",
            DefaultValueFactory = _ => string.Join(",", EvaluationPlan.DefaultRunSeeds),
        };
        var preset = new Option<string>("--preset") { Description = "quick (20 + 20 scenarios) or paper (100 + 100).", DefaultValueFactory = _ => "paper" };
        var options = new Option<string[]>("--option") { Description = "Run option KEY=VALUE for every run (repeatable), e.g. instill_method=lora.", AllowMultipleArgumentsPerToken = false };
        var threads = new Option<int>("--threads") { Description = "Threads of pretraining (the bytes are the same at any count).", DefaultValueFactory = _ => 1 };
        var tabulate = new Option<bool>("--tabulate") { Description = "Only tabulate: read --out's evaluation.csv and pretrain-{seed}/ directories and write the tables again (recipe level, power, every run), running and pretraining nothing. Works on an evaluation still running (it is only read when --tables-out names another directory)." };
        var tablesOut = new Option<string?>("--tables-out") { Description = "With --tabulate: the directory the tables go to (default: --out itself)." };
        var powerEffect = new Option<double>("--power-effect") { Description = "The recipe-level effect the power analysis sizes the design for (pretraining seeds needed for 80% power).", DefaultValueFactory = _ => TableOptions.DefaultPowerEffect };
        var sham = new Option<string[]>("--sham") { Description = $"Sham itraining beside every run (repeatable): {ShamItraining.Permuted} (targets permuted across the training set's scenarios, seeded) or {ShamItraining.OtherSeed} (the targets run seed s + 1 instils); each its own run in runs/{{organism}}-{{seed}}-sham-{{kind}}/, its effects in the columns sham_{{kind}}_*.", AllowMultipleArgumentsPerToken = false };
        var crossPrediction = new Option<bool>("--cross-prediction") { Description = "Also the cross-prediction experiment beside every run (the same preset; a cross model fine-tuned from the organism on its instilled choices), each its own run in runs/{organism}-{seed}-cross-prediction/ (resumed, and read back once analysed); its figures, read from that run's analysis/summary.json, in the columns cross_prediction_self_slope, cross_prediction_cross_slope and self_minus_cross_paired (with their intervals). With --tabulate it changes nothing: the columns come from evaluation.csv as they are." };
        var whiteBox = new Option<bool>("--white-box") { Description = "Also the white-box lab on every run (held out, with the untrained-body control: probes beside their nulls, the read-out direction against the probe's, steering's dose-response), each run's lab cached in runs/{organism}-{seed}/white_box/ (a resumed evaluation does not measure it again); white_box.csv, white_box_recipe_level.csv and white_box.md beside the evaluation's tables. With --tabulate: those tables again from the cached labs, measuring nothing." };
        var whiteBoxRunSeeds = new Option<string?>("--white-box-run-seeds") { Description = "With --white-box: the lab only on the runs at these run seeds (comma list, e.g. one seed: one run per pretraining seed, a third of the cost). Default: every run seed." };
        var whiteBoxNulls = new Option<int>("--white-box-nulls") { Description = "With --white-box: draws of every probe's and read-out's nulls (a p-value is at least 1/(draws + 1)).", DefaultValueFactory = _ => new LabSettings().NullDraws };
        var heldOutFamily = new Option<string[]>("--held-out-family") { Description = "Also the paper's measure on a behaviour family the recipe never reports (repeatable; e.g. lottery_a of self-description-hold-lottery): on every run's organism at the run's seed, fresh targets instilled by the family's behaviour only, its entities reported before and after (docs/organism.md, \"A second held-out family\"). Cached in runs/{organism}-{seed}/held_out_family/{NAME}.json; held_out_family_{NAME}.csv, held_out_family_{NAME}_recipe_level.csv and held_out_family_{NAME}.md beside the evaluation's tables. A family the recipe reports is refused. With --tabulate: those tables again from the cached records.", AllowMultipleArgumentsPerToken = false };
        var archiveTo = new Option<string?>("--archive-to") { Description = "Only archive: copy --out's evaluation without its models and raw replies into this directory (created or updated; megabytes, not gigabytes, so it can be kept in a repository): every table, each finished pretraining but its weights and tokenizer, each finished run's run.json and directories but models/ and replies/; what is left out listed with its SHA-256 in each directory's archived.json. The archive is tabulated like the evaluation, and `evaluate-organism --out` on it (or a copy) resumes it: an archived run keeps its row and runs nothing, new seeds run as usual. With --white-box [--white-box-run-seeds] and --held-out-family, a run is archived only once it has those records (after archiving it could not be measured)." };
        var command = new Command("evaluate-organism", "Pretrain a recipe at several seeds and/or take given organisms, run the paper's protocol on each at several run seeds, and tabulate every measure with its spread across seeds.");
        foreach (var o in new Option[] { outDir, organisms, recipe, pretrainSeeds, runSeeds, preset, options, threads, tabulate, tablesOut, powerEffect, sham, crossPrediction, whiteBox, whiteBoxRunSeeds, whiteBoxNulls, heldOutFamily, archiveTo }) command.Options.Add(o);
        command.SetAction(async (p, ct) =>
        {
            if (p.GetValue(threads) is < 1 and var n) throw new UsageException($"--threads {n}: at least 1 thread");
            if (p.GetValue(powerEffect) is var effect && !(effect > 0 && double.IsFinite(effect))) throw new UsageException($"--power-effect {effect}: expected a positive number");
            if (File.Exists(p.GetValue(outDir))) throw new UsageException($"--out {p.GetValue(outDir)}: is a file; give a directory for the evaluation");
            var seeds = p.GetValue(pretrainSeeds) is { } s ? Seeds("--pretrain-seeds", s) : [];
            OrganismRecipe? r = p.GetValue(recipe) is { } value ? BuiltInRecipes.Resolve(value, "--recipe") : null;
            bool lab = p.GetValue(whiteBox);
            foreach (var o in new Option[] { whiteBoxRunSeeds, whiteBoxNulls })
                if (!lab && p.GetResult(o) is { Implicit: false }) throw new UsageException($"{o.Name} goes with --white-box");
            if (p.GetValue(whiteBoxNulls) is < 0 and var nulls) throw new UsageException($"--white-box-nulls {nulls}: must be 0 or more draws");
            var labSeeds = p.GetValue(whiteBoxRunSeeds) is { } ls ? Seeds("--white-box-run-seeds", ls) : null;
            var families = (p.GetValue(heldOutFamily) ?? []).Distinct().ToList();
            if (p.GetValue(archiveTo) is { } archive)
            {
                if (p.GetValue(tabulate)) throw new UsageException("--archive-to and --tabulate: give one (an archive is tabulated with --tabulate --out ARCHIVE)");
                foreach (var o in new Option[] { organisms, recipe, pretrainSeeds, runSeeds, preset, options, threads, powerEffect, sham, crossPrediction, whiteBoxNulls, tablesOut })
                    if (p.GetResult(o) is { Implicit: false }) throw new UsageException($"{o.Name} does not go with --archive-to (archiving runs nothing)");
                var required = families.Select(f => new RequiredRecord(HeldOutFamilyEvaluation.RelativeRecord(f))).ToList();
                if (lab) required.Insert(0, new RequiredRecord(Path.Combine(EvaluationLab.DirectoryName, EvaluationLab.RecordFile), labSeeds));
                var summary = EvaluationArchive.Write(p.GetValue(outDir)!, archive, required, Console.WriteLine);
                Console.WriteLine($"archived {summary.Rows} rows: {summary.RunDirectories} run directories and {summary.Pretrainings} pretrainings " +
                                  $"({summary.Updated} written now, {summary.BytesLeftOut / 1e6:F0} MB left out of them; the others held as they are): {Path.GetFullPath(archive)}");
                return 0;
            }
            if (p.GetValue(tabulate))
            {
                string from = p.GetValue(outDir)!, to = p.GetValue(tablesOut) ?? from;
                var rows = OrganismEvaluator.Tabulate(from, to, effect, r);
                Console.WriteLine($"tabulated {rows.Count} runs: {Path.GetFullPath(Path.Combine(to, EvaluationTables.MarkdownFile))}");
                if (lab)
                {
                    var labRows = WhiteBoxEvaluation.Tabulate(from, to, labSeeds);
                    Console.WriteLine($"tabulated the white-box lab of {labRows.Count} runs: {Path.GetFullPath(Path.Combine(to, WhiteBoxTables.MarkdownFile))}");
                }
                foreach (var family in families)
                {
                    var familyRows = HeldOutFamilyEvaluation.Tabulate(from, to, family);
                    Console.WriteLine($"tabulated held-out family {family} on {familyRows.Count} runs: {Path.GetFullPath(Path.Combine(to, HeldOutFamilyEvaluation.MarkdownFile(family)))}");
                }
                return 0;
            }
            if (p.GetValue(tablesOut) is not null) throw new UsageException("--tables-out goes with --tabulate");
            if (r is not null && seeds.Count == 0) throw new UsageException("--recipe needs --pretrain-seeds");
            if (r is null && seeds.Count > 0) throw new UsageException("--pretrain-seeds needs --recipe");
            var plan = new EvaluationPlan
            {
                OutDirectory = p.GetValue(outDir)!,
                Organisms = p.GetValue(organisms) ?? [],
                Recipe = r,
                PretrainSeeds = seeds,
                RunSeeds = Seeds("--run-seeds", p.GetValue(runSeeds)!),
                Preset = p.GetValue(preset)!,
                Options = RunCommand.ParseOptions(p.GetValue(options) ?? []),
                Threads = p.GetValue(threads),
                PowerEffect = effect,
                Shams = (p.GetValue(sham) ?? []).Distinct().ToList(),
                CrossPrediction = p.GetValue(crossPrediction),
            };
            foreach (var kind in plan.Shams) ShamItraining.Setting(kind, 0); // an unknown kind exits 2 before anything runs
            // Keys and values checked before any pretraining or run (the evaluation runs the local backend only).
            InstillationOptions.From(plan.Options);
            // A family the recipe reports, or lacks, is refused before anything runs (given organisms are checked as each is measured).
            if (r is not null) foreach (var family in families) HeldOutFamilyEvaluation.CheckHeldOut(r, family, "the recipe");
            foreach (var labSeed in labSeeds ?? [])
                if (!plan.RunSeeds.Contains(labSeed)) throw new UsageException($"--white-box-run-seeds: {labSeed} is not among --run-seeds ({string.Join(",", plan.RunSeeds)})");
            var evaluated = await OrganismEvaluator.RunAsync(plan, Console.WriteLine, ct);
            Console.WriteLine($"done: {Path.GetFullPath(Path.Combine(plan.OutDirectory, EvaluationTables.MarkdownFile))}");
            if (lab)
            {
                // After the evaluation, not between its runs: the evaluation's tables are complete before the longer lab starts.
                var labPlan = new WhiteBoxPlan(new LabSettings(NullDraws: p.GetValue(whiteBoxNulls)), labSeeds, plan.Threads);
                WhiteBoxEvaluation.Run(plan.OutDirectory, evaluated, labPlan, Console.WriteLine);
                Console.WriteLine($"white box: {Path.GetFullPath(Path.Combine(plan.OutDirectory, WhiteBoxTables.MarkdownFile))}");
            }
            foreach (var family in families)
            {
                HeldOutFamilyEvaluation.Run(plan.OutDirectory, evaluated, family, new HeldOutFamilySettings(), plan.Threads, Console.WriteLine);
                Console.WriteLine($"held-out family {family}: {Path.GetFullPath(Path.Combine(plan.OutDirectory, HeldOutFamilyEvaluation.MarkdownFile(family)))}");
            }
            return 0;
        });
        return command;
    }

    private static List<ulong> Seeds(string option, string list)
    {
        var seeds = new List<ulong>();
        foreach (var part in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            seeds.Add(ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
                : throw new UsageException($"{option} '{list}': '{part}' is not a seed (a whole number)"));
        if (seeds.Count == 0) throw new UsageException($"{option}: no seeds");
        if (seeds.Distinct().Count() < seeds.Count) throw new UsageException($"{option} '{list}': a seed is given twice");
        return seeds;
    }
}
