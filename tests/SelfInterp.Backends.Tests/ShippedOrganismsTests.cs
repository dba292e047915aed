using SelfInterp.Organisms;
using SelfInterp.Core.Runs;

namespace SelfInterp.Backends.Tests;

/// <summary>What `run --base-model` takes on the local backend, and what a run records for it.</summary>
public class ShippedOrganismsTests(TinyOrganism tiny) : IClassFixture<TinyOrganism>
{
    private static SortedDictionary<string, string> NoOptions() => new(StringComparer.Ordinal);

    [Fact]
    public void The_reporter_is_shipped_and_the_alias_and_no_name_mean_the_default()
    {
        Assert.Contains("reporter", ShippedOrganisms.Names);
        Assert.True(File.Exists(Path.Combine(ShippedOrganisms.DirectoryOf("reporter"), "model.safetensors")));
        Assert.Equal(ShippedOrganisms.Default, ShippedOrganisms.Resolve(null, NoOptions()));
        Assert.Equal(ShippedOrganisms.Default, ShippedOrganisms.Resolve("organism", NoOptions()));
        var options = NoOptions();
        Assert.Equal("reporter", ShippedOrganisms.Resolve("reporter", options));
        Assert.Empty(options); // a shipped name is found beside the executable when the run opens, not recorded as a path
        Assert.Equal(ShippedOrganisms.DirectoryOf("reporter"), ShippedOrganisms.DirectoryFor(new RunConfig { BaseModel = "reporter" }));
    }

    [Fact]
    public void A_directory_is_named_by_its_folder_and_recorded_as_the_base_models_directory()
    {
        var options = NoOptions();
        string id = ShippedOrganisms.Resolve(tiny.Directory, options);
        Assert.Equal(Path.GetFileName(tiny.Directory), id);
        Assert.Equal(Path.GetFullPath(tiny.Directory), options[ShippedOrganisms.DirectoryOption]);
        Assert.Equal(Path.GetFullPath(tiny.Directory), ShippedOrganisms.DirectoryFor(new RunConfig { BaseModel = id, BackendOptions = options }));

        // The older spelling, --option base_model_dir=DIR, names the organism the same way.
        var older = NoOptions();
        older[ShippedOrganisms.DirectoryOption] = tiny.Directory;
        Assert.Equal(id, ShippedOrganisms.Resolve(null, older));
    }

    [Fact]
    public void An_unknown_name_lists_the_known_ones_and_a_directory_without_an_organism_is_refused()
    {
        var e = Assert.Throws<UsageException>(() => ShippedOrganisms.Resolve("gpt-5", NoOptions()));
        Assert.Contains("'gpt-5'", e.Message);
        Assert.Contains("reporter", e.Message);
        Assert.Contains("organism", e.Message);
        var empty = Directory.CreateTempSubdirectory("not-an-organism").FullName;
        Assert.Contains("recipe.json", Assert.Throws<UsageException>(() => ShippedOrganisms.Resolve(empty, NoOptions())).Message);
    }
}
