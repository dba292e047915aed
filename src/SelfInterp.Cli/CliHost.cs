using System.CommandLine;
using SelfInterp.Cli.Commands;
using SelfInterp.Core.Backends;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Core.Pipeline;
using SelfInterp.Core.IO;
using SelfInterp.Core.Runs;

namespace SelfInterp.Cli;

/// <summary>
/// Parses, runs, and maps failures to exit codes: 0 success, 2 bad input or usage, 3 the run directory is in use
/// by another process, 4 a fine-tune to be done outside SelfInterp, 5 a failed check of the model's replies, 1 anything else,
/// always with a one-line error that names the file, line or field where known.
/// </summary>
public static class CliHost
{
    public const int Ok = 0, Failure = 1, BadInput = 2, RunDirectoryInUse = 3;
    /// <summary>The run stopped before a fine-tune that happens outside SelfInterp (--fine-tune external): not a failure, a hand-over.</summary>
    public const int FineTuneElsewhere = 4;
    /// <summary>The run stopped because the model failed a check (instillation at chance, unreadable replies).</summary>
    public const int CheckFailed = 5;

    /// <summary>Every command of the selfinterp tool.</summary>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("SelfInterp: instil preferences in a model, ask it to report them, and measure how well it does.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ExperimentsCommand.Create());
        root.Subcommands.Add(DatasetCommand.Create());
        root.Subcommands.Add(ScenariosCommand.Create());
        root.Subcommands.Add(AnalyzeCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(PretrainCommand.Create());
        root.Subcommands.Add(EvaluateOrganismCommand.Create());
        root.Subcommands.Add(PowerCommand.Create());
        root.Subcommands.Add(WhiteBoxCommands.Probe());
        root.Subcommands.Add(WhiteBoxCommands.Intervene());
        root.Subcommands.Add(WhiteBoxCommands.Wrapper());
        root.Subcommands.Add(ModelsCommand.Create());
        return root;
    }

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        Output.Terminal.Configure();
        if (args is ["--version"])
        {
            // The version, and what the engine computes with on this machine (what run.json and checkpoints record).
            Console.WriteLine(VersionInfo.Current);
            Console.WriteLine($"engine: {Engine.Provenance.EngineProvenance.Default(Environment.ProcessorCount)}");
            return Ok;
        }
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) Console.Error.WriteLine($"error: {ParseErrorText.Plain(e)}");
            Console.Error.WriteLine("(see --help)");
            return BadInput;
        }
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        try
        {
            // Our own handler below maps exceptions to exit codes, so System.CommandLine's is switched off.
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cts.Token);
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        catch (RunDirectoryInUseException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return RunDirectoryInUse;
        }
        catch (FineTuneElsewhereException e)
        {
            Console.Error.WriteLine($"stopped: {e.Message}");
            return FineTuneElsewhere;
        }
        catch (ReplyCheckException e)
        {
            Console.Error.WriteLine($"stopped: {e.Message}");
            return CheckFailed;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("stopped: the run directory keeps everything done so far; the same command resumes it");
            return Failure;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("SELFINTERP_DEBUG") == "1") Console.Error.WriteLine(e);
            return Failure;
        }
    }

    private static bool IsBadInput(Exception e) => e is UsageException or CatalogException or DataFileException or Core.Backends.ProviderAnswerException;
}
