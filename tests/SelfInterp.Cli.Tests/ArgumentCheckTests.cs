using System.Net;
using System.Net.Http.Headers;

namespace SelfInterp.Cli.Tests;

/// <summary>
/// Issue 18, case 5: arguments that were accepted and failed late (or with a stack trace), and the server key that
/// could only be given on the command line.
/// </summary>
public class ArgumentCheckTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => SelfInterpProcess.Run(args);

    private static string Temp() => Directory.CreateTempSubdirectory("args").FullName;

    [Theory]
    [InlineData("--steps", "-1", "--steps -1")]
    [InlineData("--steps", "0", "--steps 0")]
    [InlineData("--threads", "0", "--threads 0")]
    public void Pretrain_refuses_a_bad_count_before_writing_anything(string option, string value, string message)
    {
        var dir = Path.Combine(Temp(), "organism");
        var (code, _, err) = Run("pretrain", "--out", dir, option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
        Assert.False(Directory.Exists(dir), "nothing may be written");
    }

    /// <summary>A value outside an option's list names the option and the values it takes (System.CommandLine's own
    /// message names neither the option nor the values in words).</summary>
    [Fact]
    public void A_value_outside_the_list_names_the_option()
    {
        var (code, _, err) = Run("wrapper", "--method", "nope", Temp());
        Assert.Equal(2, code);
        Assert.Contains("--method 'nope': not one of prune, reverse", err);
    }

    [Fact]
    public void A_dataset_given_as_a_directory_is_said_to_be_one()
    {
        var dir = Temp();
        var (code, _, err) = Run("run", "--experiment", "behavior", "--backend", "simulated", "--dataset", $"risk_seeking={dir}", "--out", Path.Combine(Temp(), "run"));
        Assert.Equal(2, code);
        Assert.Contains($"'{dir}' is a directory; give the chat JSONL file itself", err);
    }

    /// <summary>`pretrain --from`: the reset redone on a finished pretraining, as a command; a recipe that differs in more
    /// than the reset, and --from naming --out itself, exit 2 before anything is written.</summary>
    [Fact]
    public void Pretrain_from_a_finished_pretraining_redoes_only_the_reset()
    {
        var tiny = SelfInterp.Organisms.OrganismRecipe.Tiny with { Curriculum = SelfInterp.Organisms.OrganismRecipe.Tiny.Curriculum with { Steps = 4 } };
        string recipes = Temp(), finished = Path.Combine(Temp(), "finished"), redone = Path.Combine(Temp(), "redone");
        string Recipe(string name, SelfInterp.Organisms.OrganismRecipe r)
        {
            string dir = Path.Combine(recipes, name);
            Directory.CreateDirectory(dir);
            r.Save(dir);
            return Path.Combine(dir, "recipe.json");
        }
        string off = Recipe("off", tiny), on = Recipe("on", tiny with { Corpus = tiny.Corpus with { UnfamiliarNameCovariance = true } });
        Assert.Equal(0, Run("pretrain", "--recipe", off, "--threads", "1", "--out", finished).Code);

        var (code, output, err) = Run("pretrain", "--recipe", on, "--from", finished, "--out", redone);
        Assert.True(code == 0, err);
        Assert.Contains("the unfamiliar names reset again", output);
        Assert.Contains("\"unfamiliar_name_covariance\": true", File.ReadAllText(Path.Combine(redone, "recipe.json")));
        Assert.Equal(File.ReadAllText(Path.Combine(finished, "native_weights.csv")), File.ReadAllText(Path.Combine(redone, "native_weights.csv")));

        (code, _, err) = Run("pretrain", "--recipe", on, "--seed", "99", "--from", finished, "--out", Path.Combine(Temp(), "other"));
        Assert.Equal(2, code);
        Assert.Contains(Path.Combine(finished, "recipe.json"), err);
        Assert.Contains("seed", err);
        (code, _, err) = Run("pretrain", "--recipe", on, "--from", redone, "--out", redone);
        Assert.Equal(2, code);
        Assert.Contains("is --out itself", err);
    }

    /// <summary>A recipe name that is none of the built-in ones lists them (the self-description recipes among them); a
    /// recipe.json with a key no recipe has names the file and the key.</summary>
    [Fact]
    public void Pretrain_refuses_an_unknown_recipe_name_or_recipe_key_naming_it()
    {
        var dir = Path.Combine(Temp(), "organism");
        var (code, _, err) = Run("pretrain", "--out", dir, "--recipe", "self-description-9");
        Assert.Equal(2, code);
        Assert.Contains("self-description-15", err);
        Assert.Contains("self-description-permuted", err);
        Assert.Contains("self-prediction-shuffled", err);
        Assert.Contains("structure-3attr, structure-lottery, structure-3attr-permuted", err);

        var recipe = Path.Combine(Temp(), "recipe.json");
        File.WriteAllText(recipe, "{ \"seed\": 1, \"supervised_familes\": 3 }");
        (code, _, err) = Run("pretrain", "--out", dir, "--recipe", recipe);
        Assert.Equal(2, code);
        Assert.Contains(recipe, err);
        Assert.Contains("supervised_familes", err);
        Assert.False(Directory.Exists(dir), "nothing may be written");
    }

    [Theory]
    [InlineData("--base-model", "gpt-5")]
    [InlineData("--option", "instill_method=sideways")]
    public void Run_on_the_local_backend_refuses_an_unknown_organism_or_method_before_writing_anything(string option, string value)
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, _, err) = Run("run", option, value, "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains(value.Split('=')[^1], err);
        Assert.Contains("known: ", err);
        Assert.Contains(option == "--base-model" ? "reporter" : "embeddings", err);
        Assert.False(Directory.Exists(dir), "nothing may be written");
    }

    [Fact]
    public void Run_refuses_a_hugging_face_model_that_is_not_there_before_writing_anything()
    {
        var dir = Path.Combine(Temp(), "run");
        var (code, _, err) = Run("run", "--base-model", "hf:/no/such/model", "--out", dir);
        Assert.Equal(2, code);
        Assert.Contains("--base-model 'hf:/no/such/model': directory /no/such/model does not exist", err);
        Assert.False(Directory.Exists(dir), "nothing may be written");
    }

    [Fact]
    public void Serve_refuses_a_port_out_of_range_and_a_busy_port_with_exit_2_and_one_line()
    {
        var (code, _, err) = Run("serve", "--port", "99999", "--backend", "simulated", "--models", Temp());
        Assert.Equal(2, code);
        Assert.Contains("--port 99999", err);

        using var busy = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var (code2, out2, err2) = Run("serve", "--port", port.ToString(), "--backend", "simulated", "--models", Temp());
        Assert.Equal(2, code2);
        Assert.Contains($"--port {port}: cannot listen there", err2);
        Assert.DoesNotContain("   at ", err2 + out2); // no stack trace
    }

    [Theory]
    [InlineData("file")]
    [InlineData("environment")]
    public async Task Serve_takes_its_key_from_a_file_or_the_environment_and_never_prints_it(string source)
    {
        const string key = "sk-serve-7f3a-SECRET";
        var dir = Temp();
        string[] args = ["serve", "--port", "0", "--backend", "simulated", "--models", dir];
        var env = new Dictionary<string, string>();
        if (source == "file")
        {
            var file = Path.Combine(dir, "key.txt");
            File.WriteAllText(file, key + "\n");
            args = [.. args, "--api-key-file", file];
        }
        else env["SELFINTERP_SERVE_API_KEY"] = key;

        using var server = SelfInterpProcess.Start(args, env);
        var stderr = server.StandardError.ReadToEndAsync();
        var output = new List<string>();
        string? url = null;
        while (url is null && server.StandardOutput.ReadLine() is { } line)
        {
            output.Add(line);
            if (line.Contains("OpenAI-compatible API at ")) url = line.Split("API at ")[1].Split(' ')[0];
        }
        try
        {
            Assert.NotNull(url);
            using var http = new HttpClient { BaseAddress = new Uri(url!) };
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("models")).StatusCode);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("models")).StatusCode);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }
        Assert.DoesNotContain(key, string.Join("\n", output) + server.StandardOutput.ReadToEnd() + await stderr);
        Assert.DoesNotContain(key, string.Concat(Directory.GetFiles(dir, "*.json", SearchOption.AllDirectories).Select(File.ReadAllText)));
    }

    [Fact]
    public void A_missing_or_empty_key_file_is_exit_2_naming_it()
    {
        var dir = Temp();
        var (code, _, err) = Run("serve", "--port", "0", "--backend", "simulated", "--models", dir, "--api-key-file", Path.Combine(dir, "none.txt"));
        Assert.Equal(2, code);
        Assert.Contains("none.txt", err);
        var empty = Path.Combine(dir, "empty.txt");
        File.WriteAllText(empty, "\n");
        var (code2, _, err2) = Run("serve", "--port", "0", "--backend", "simulated", "--models", dir, "--api-key-file", empty);
        Assert.Equal(2, code2);
        Assert.Contains("empty.txt:1", err2);
    }
}
