using System.CommandLine;
using SelfInterp.Cli;
using SelfInterp.Cli.Commands;

var root = new RootCommand("SelfInterp: instil preferences in a model, ask it to report them, and measure how well it does.");
root.Subcommands.Add(RunCommand.Create());
root.Subcommands.Add(DatasetCommand.Create());
root.Subcommands.Add(ScenariosCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
return await CliHost.InvokeAsync(root, args);
