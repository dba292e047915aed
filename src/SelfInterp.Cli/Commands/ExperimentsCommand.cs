using System.CommandLine;
using SelfInterp.Experiments;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp experiments`: the experiments `run --experiment` takes, one line each.</summary>
public static class ExperimentsCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print [{\"name\", \"description\", \"default\", \"options\": [{\"name\", \"description\"}]}, …]." };
        var command = new Command("experiments", "List the experiments `selfinterp run --experiment NAME` can run.") { json };
        command.SetAction(p =>
        {
            if (p.GetValue(json))
            {
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(ExperimentCatalog.All.Select(e => new
                {
                    name = e.Name, description = e.Description, @default = e.Name == ExperimentCatalog.Default,
                    options = e.Options.Select(o => new { name = "--" + o.Name, description = o.Description }),
                }), new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                return 0;
            }
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
