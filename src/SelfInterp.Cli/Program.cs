using SelfInterp.Cli;

return await CliHost.InvokeAsync(CliHost.CreateRoot(), args);
