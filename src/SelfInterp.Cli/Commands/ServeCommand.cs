using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SelfInterp.Backends;
using SelfInterp.Organisms;
using SelfInterp.Backends.ChatClient;
using SelfInterp.Core.Runs;
using SelfInterp.Experiments;
using SelfInterp.Server;

namespace SelfInterp.Cli.Commands;

/// <summary>`selfinterp serve`: an OpenAI-compatible HTTP API over one of our backends, until Ctrl+C.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var port = new Option<int>("--port") { Description = "TCP port (0 = any free port).", DefaultValueFactory = _ => 8000 };
        var host = new Option<string>("--host") { Description = "Address to listen on. Default loopback only; 0.0.0.0 opens it to the network.", DefaultValueFactory = _ => "127.0.0.1" };
        var apiKey = new Option<string?>("--api-key") { Description = $"Require this key (Authorization: Bearer KEY) on every request. Visible to other users in `ps`: prefer --api-key-file or {ServeApiKey.EnvironmentVariable}." };
        var apiKeyFile = new Option<string?>("--api-key-file") { Description = "Require the key held in this file (its first line)." };
        var models = new Option<string?>("--models") { Description = "Directory for uploaded files, jobs and fine-tuned models; they survive a restart. Default: $XDG_DATA_HOME/selfinterp/serve, else ~/.local/share/selfinterp/serve. The shipped base models are read from where they ship." };
        var backend = new Option<string>("--backend") { Description = $"Which model to serve: {string.Join(", ", BackendFactory.ServableNames)}.", DefaultValueFactory = _ => BackendFactory.DefaultServeBackend };
        var failRate = new Option<double>("--fail-rate") { Description = "Answer this share of requests with a random 429 or 500 (seeded), for resilience tests.", DefaultValueFactory = _ => 0 };
        var maxRequest = new Option<double>("--max-request-mb") { Description = "Refuse larger request bodies with 413.", DefaultValueFactory = _ => 64 };
        var options = new Option<string[]>("--option") { Description = "Backend setting KEY=VALUE (repeatable).", AllowMultipleArgumentsPerToken = false };
        var baseModel = new Option<string?>("--base-model") { Description = $"local backend: which organism to serve as the base model: a shipped one ({string.Join(", ", ShippedOrganisms.Names)}; {ShippedOrganisms.DefaultAlias} = the default, {ShippedOrganisms.Default}) or a directory holding one, or a Hugging Face checkpoint with an optional PEFT LoRA adapter, hf:DIR[+adapter:DIR] (docs/real-models.md), as `run --base-model` takes. Default: {ShippedOrganisms.Default}." };
        var experiment = new Option<string>("--experiment") { Description = "Whose prompts the backend reads (its task codec).", DefaultValueFactory = _ => ExperimentCatalog.Default };

        var command = new Command("serve", "Serve a model over an OpenAI-compatible HTTP API: chat completions, files, fine-tuning jobs.");
        foreach (var o in new Option[] { port, host, apiKey, apiKeyFile, models, backend, baseModel, failRate, maxRequest, options, experiment }) command.Options.Add(o);
        common.AddTo(command);
        command.SetAction(async (p, ct) =>
        {
            var name = p.GetValue(backend)!;
            if (!BackendFactory.ServableNames.Contains(name))
                throw new UsageException($"--backend '{name}' cannot be served (servable: {string.Join(", ", BackendFactory.ServableNames)})");
            double rate = p.GetValue(failRate);
            if (rate is < 0 or > 1 || double.IsNaN(rate)) throw new UsageException($"--fail-rate must be between 0 and 1, got {rate.ToString(CultureInfo.InvariantCulture)}");
            int portNumber = p.GetValue(port);
            if (portNumber is < 0 or > 65535) throw new UsageException($"--port {portNumber}: a TCP port is between 0 and 65535 (0 = any free port)");
            string? key = ServeApiKey.Resolve(p.GetValue(apiKey), p.GetValue(apiKeyFile));
            double mb = p.GetValue(maxRequest);
            if (!(mb > 0)) throw new UsageException("--max-request-mb must be positive");
            var exp = ExperimentCatalog.Get(p.GetValue(experiment)!);
            var backendOptions = RunCommand.ParseOptions(p.GetValue(options) ?? []);
            var config = common.Apply(new RunConfig(), p) with
            {
                Experiment = exp.Name,
                Settings = exp.Settings("quick", new Dictionary<string, string>()),
                Backend = name,
                // A local organism named by its directory is served under that directory's name.
                BaseModel = name == "local" ? ShippedOrganisms.Resolve(p.GetValue(baseModel), backendOptions)
                    : p.GetValue(baseModel) is { } other && other != BackendFactory.DefaultBaseModel(name)
                        ? throw new UsageException($"--base-model {other}: the {name} backend serves only '{BackendFactory.DefaultBaseModel(name)}'")
                        : BackendFactory.DefaultBaseModel(name),
                BackendOptions = backendOptions,
            };
            var dir = Path.GetFullPath(p.GetValue(models) ?? DataDirectory.ForServe(Environment.GetEnvironmentVariable));
            // Checked here, so a file or an unwritable place is named as --models, not mistaken for a busy --port.
            if (File.Exists(dir)) throw new UsageException($"--models {dir}: is a file; give a directory (it is made if missing)");
            var planned = exp.Open(config);
            var model = BackendFactory.Create(config, planned.Catalog, planned.Codec, dir, modelsDirectory: dir);
            try { Directory.CreateDirectory(dir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--models {dir}: cannot make the directory ({e.Message})");
            }
            var serverOptions = new ServerOptions(dir, config.BaseModel, p.GetValue(host)!, portNumber, key, rate,
                config.Seeds.Master, (long)(mb * 1024 * 1024));
            SelfInterpServer server;
            try
            {
                server = await SelfInterpServer.StartAsync(serverOptions, model, DecisionPrompts.Classifier(planned.Codec),
                    // The host's own start-up failure is reported below as one line, not logged as a stack trace.
                    logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.Extensions.Hosting", LogLevel.None), ct);
            }
            catch (IOException e) // Kestrel: the address is in use, or not ours to bind
            {
                throw new UsageException($"--host {serverOptions.Host} --port {portNumber}: cannot listen there ({e.Message}); choose another --port, or 0 for any free one");
            }
            await using var running = server;
            if (key is not null) Console.WriteLine("requests must carry the API key (Authorization: Bearer ...)");
            Console.WriteLine($"serving the {name} backend (base model '{config.BaseModel}')");
            Console.WriteLine($"state (uploaded files, jobs, fine-tuned models) in {dir}");
            Console.WriteLine($"OpenAI-compatible API at {server.BaseUrl}  (Ctrl+C stops)");
            try { await server.WaitForShutdownAsync(ct); }
            catch (OperationCanceledException) { }
            Console.WriteLine("server stopped");
            return 0;
        });
        return command;
    }
}
