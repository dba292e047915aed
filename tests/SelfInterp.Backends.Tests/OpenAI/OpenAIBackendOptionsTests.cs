using SelfInterp.Backends.OpenAI;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests.OpenAI;

public sealed class OpenAIBackendOptionsTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    private static SortedDictionary<string, string> Opts(params (string Key, string Value)[] pairs) =>
        new(pairs.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);

    [Fact]
    public void Base_url_option_wins_over_the_environment_which_wins_over_the_default()
    {
        var env = Env(("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"));
        Assert.Equal(new Uri("http://127.0.0.1:8/v1"), OpenAIBackendOptions.From(Opts(("base_url", "http://127.0.0.1:8/v1")), env).Endpoint);
        Assert.Equal(new Uri("http://127.0.0.1:9/v1"), OpenAIBackendOptions.From(Opts(), env).Endpoint);
        Assert.Null(OpenAIBackendOptions.From(Opts(), Env()).Endpoint);
    }

    [Fact]
    public void Settings_are_read_and_defaults_kept()
    {
        var o = OpenAIBackendOptions.From(Opts(("concurrency", "3"), ("requests_per_minute", "60"), ("n_epochs", "2"), ("learning_rate_multiplier", "0.5")), Env());
        Assert.Equal(3, o.Concurrency);
        Assert.Equal(60, o.RequestsPerMinute);
        Assert.Equal(2, o.Epochs);
        Assert.Equal(0.5, o.LearningRateMultiplier);
        Assert.Null(o.BatchSize);
        Assert.Equal(8, OpenAIBackendOptions.From(Opts(), Env()).Concurrency);
    }

    [Theory]
    [InlineData("concurrency", "0", "concurrency")]
    [InlineData("max_retries", "2.5", "max_retries")]
    [InlineData("base_url", "ftp://example", "base url")]
    [InlineData("api_key", "sk-x", "unknown key 'api_key'")]
    public void Bad_values_name_their_key(string key, string value, string expected)
    {
        var e = Assert.Throws<UsageException>(() => OpenAIBackendOptions.From(Opts((key, value)), Env()));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_key_comes_only_from_the_environment()
    {
        Assert.Equal("sk-abc", OpenAIBackendOptions.ApiKey(Env(("OPENAI_API_KEY", " sk-abc "))));
        var e = Assert.Throws<UsageException>(() => OpenAIBackendOptions.ApiKey(Env()));
        Assert.Contains("OPENAI_API_KEY", e.Message);
    }

    [Fact]
    public void Job_seeds_fit_32_bits_and_keep_their_low_digits()
    {
        ulong seed = 2100268355777003019;
        long wire = FineTuningJobs.WireSeed(seed);
        Assert.InRange(wire, 0, int.MaxValue);
        Assert.Equal(seed % 100000, (ulong)wire % 100000);
    }

    [Fact]
    public void A_loopback_server_is_not_paced_unless_asked()
    {
        var local = OpenAIBackendOptions.From(Opts(("base_url", "http://127.0.0.1:8000/v1")), Env());
        Assert.Equal(0, local.RequestsPerMinute);
        Assert.Equal(TimeSpan.FromSeconds(1), local.PollInterval);
        Assert.Equal(500, OpenAIBackendOptions.From(Opts(), Env()).RequestsPerMinute);
        Assert.Equal(100, OpenAIBackendOptions.From(Opts(("base_url", "http://localhost:8000/v1"), ("requests_per_minute", "100")), Env()).RequestsPerMinute);
    }
}
