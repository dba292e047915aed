using System.CommandLine;
using SelfInterp.Experiments.Behavior.Power;
using SelfInterp.Experiments.Preferences.Power;
using Spectre.Console;

namespace SelfInterp.Cli.Commands;

/// <summary>
/// `selfinterp power`: how the measured instillation r, report slopes and itraining effect depend on the study's
/// size and the model's noise, by simulating the whole experiment with the simulated backend many times.
/// </summary>
public static class PowerCommand
{
    public static Command Create()
    {
        var scenarios = new Option<string>("--scenarios") { Description = "Comma list: instilled (= native) scenarios per experiment, even.", DefaultValueFactory = _ => "20,50,100" };
        var trials = new Option<string>("--trials") { Description = "Comma list: selections per scenario (instilled and native).", DefaultValueFactory = _ => "25,50,100" };
        var choiceNoise = new Option<string>("--choice-noise") { Description = "Comma list: logistic noise scale on the utility difference (weight units).", DefaultValueFactory = _ => "5,10,20" };
        var reportNoise = new Option<string>("--report-noise") { Description = "Comma list: s.d. of the noise on each reported weight before introspection training.", DefaultValueFactory = _ => "0,30,60" };
        var replicates = new Option<int>("--replicates") { Description = "Simulated experiments per grid point.", DefaultValueFactory = _ => 20 };
        var reports = new Option<int>("--reports") { Description = "Reports per scenario in each report condition.", DefaultValueFactory = _ => 10 };
        var seed = new Option<ulong>("--seed") { Description = "Master seed; replicate k uses the same derived seed at every grid point.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON instead of a table." };
        var experiment = new Option<string>("--experiment") { Description = "preferences (the paper's protocol) or behavior (behavioural self-awareness).", DefaultValueFactory = _ => "preferences" };
        var behavior = new BehaviorPowerOptions();

        var command = new Command("power", "Estimate by simulation how instillation r, report slopes and the itraining effect depend on scenarios, trials and noise.");
        foreach (var o in new Option[] { scenarios, trials, choiceNoise, reportNoise, replicates, reports, seed, json, experiment }.Concat(behavior.All)) command.Options.Add(o);
        command.SetAction(async (p, ct) =>
        {
            switch (p.GetValue(experiment))
            {
                case "behavior":
                    BehaviorPowerOptions.RefuseForeign(p, [scenarios, trials, choiceNoise, reportNoise, reports, json], "behavior");
                    var cells = behavior.Cells(p);
                    int n = p.GetValue(replicates);
                    if (n < 1) throw new Core.Runs.UsageException("--replicates must be ≥ 1");
                    Console.Write(BehaviorPower.Table(await BehaviorPower.RunAsync(cells, n, p.GetValue(seed), ct: ct)));
                    return 0;
                case "preferences":
                    BehaviorPowerOptions.RefuseForeign(p, behavior.All, "preferences");
                    break;
                case var other:
                    throw new Core.Runs.UsageException($"power --experiment: '{other}' has no power analysis (preferences, behavior)");
            }
            var grid = new PowerGrid(
                PowerGrid.ParseInts("--scenarios", p.GetValue(scenarios)!),
                PowerGrid.ParseInts("--trials", p.GetValue(trials)!),
                PowerGrid.ParseDoubles("--choice-noise", p.GetValue(choiceNoise)!),
                PowerGrid.ParseDoubles("--report-noise", p.GetValue(reportNoise)!),
                p.GetValue(replicates), p.GetValue(reports), p.GetValue(seed));
            grid.Validate(Preferences.Catalog.ScenarioCatalog.Embedded().Scenarios.Count);
            var result = await WithProgress(grid, ct);
            Console.Write(p.GetValue(json) ? PowerReport.Json(result) : PowerReport.Table(result));
            return 0;
        });
        return command;
    }

    /// <summary>One bar over all experiments, on stderr so that stdout carries only the table or the JSON.</summary>
    private static async Task<PowerResult> WithProgress(PowerGrid grid, CancellationToken ct)
    {
        if (!Output.Terminal.LiveProgress)
        {
            // Into a file or a pipe (`power … 2> f`): a plain line before and after, no redrawn bar.
            int n = grid.Cells().Count * grid.Replicates;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Console.Error.WriteLine($"{n} simulated experiments...");
            var done = await PowerSimulation.RunAsync(grid, () => { }, ct: ct);
            Console.Error.WriteLine($"{n} simulated experiments done in {clock.Elapsed.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)} s");
            return done;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        int total = grid.Cells().Count * grid.Replicates;
        return await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(ctx =>
            {
                var task = ctx.AddTask($"{total} simulated experiments", maxValue: total);
                return PowerSimulation.RunAsync(grid, () => task.Increment(1), ct: ct);
            });
    }
}
