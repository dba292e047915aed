using System.CommandLine;
using SelfInterp.Experiments;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp experiments`: the experiments `run --experiment` takes, one line each.</summary>
public static class ExperimentsCommand
{
    public static Command Create()
    {
        var command = new Command("experiments", "List the experiments `selfinterp run --experiment NAME` can run.");
        command.SetAction(_ =>
        {
            int width = ExperimentCatalog.All.Max(e => e.Name.Length);
            foreach (var e in ExperimentCatalog.All)
            {
                Console.WriteLine($"{e.Name.PadRight(width)}  {e.Description}{(e.Name == ExperimentCatalog.Default ? " (default)" : "")}");
                foreach (var o in e.Options) Console.WriteLine($"{"".PadRight(width)}    --{o.Name}: {o.Description}");
            }
            return 0;
        });
        return command;
    }
}
