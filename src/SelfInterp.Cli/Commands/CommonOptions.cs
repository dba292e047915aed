using System.CommandLine;
using SelfInterp.Core.Runs;

namespace SelfInterp.Cli.Commands;

/// <summary>Options several commands share, and how they become a <see cref="RunConfig"/>.</summary>
public sealed class CommonOptions
{
    public readonly Option<string?> Catalog = new("--catalog") { Description = "Scenario catalog: our JSON (the paper's catalog schema) or a paper scenarios.csv. Default: the shipped catalog." };
    public readonly Option<string?> Roles = new("--roles") { Description = "Roles file, one per line. Default: the shipped roles." };
    public readonly Option<string?> Prompts = new("--prompts") { Description = "Prompt templates (JSON with system, decision, option_line, report). Default: ours." };
    public readonly Option<ulong> Seed = new("--seed") { Description = "Master seed; each stage's seed derives from it.", DefaultValueFactory = _ => 1 };

    public void AddTo(Command command)
    {
        command.Options.Add(Catalog);
        command.Options.Add(Roles);
        command.Options.Add(Prompts);
        command.Options.Add(Seed);
    }

    /// <summary>Applies the shared options; paths become absolute so a run directory can be resumed from anywhere.</summary>
    public RunConfig Apply(RunConfig config, ParseResult p) => config with
    {
        Catalog = Full(p.GetValue(Catalog)),
        Roles = Full(p.GetValue(Roles)),
        Prompts = Full(p.GetValue(Prompts)),
        Seeds = Seeds.FromMaster(p.GetValue(Seed)),
    };

    private static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);
}
