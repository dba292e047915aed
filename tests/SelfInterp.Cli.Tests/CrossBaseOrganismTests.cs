using System.Text.Json;
using SelfInterp.Organisms;

namespace SelfInterp.Cli.Tests;

/// <summary>`run --experiment cross-prediction --cross-base-model DIR` on the local backend: the cross model is
/// fine-tuned from another organism's directory (e.g. another pretraining seed of the same recipe), so self and cross
/// differ in the network and not only in what each was fine-tuned on.</summary>
public class CrossBaseOrganismTests
{
    [Fact]
    public void The_cross_model_is_fine_tuned_from_the_organism_directory_named_and_a_directory_without_one_is_refused()
    {
        var root = Directory.CreateTempSubdirectory("cross-base").FullName;
        string recipe = Path.Combine(root, "recipe");
        Directory.CreateDirectory(recipe);
        OrganismRecipe.Tiny.Save(recipe);
        string self = Path.Combine(root, "self"), other = Path.Combine(root, "other");
        foreach (var (dir, seed) in new[] { (self, "7"), (other, "8") })
        {
            var (c, o, e) = CliTests.Run("pretrain", "--recipe", Path.Combine(recipe, OrganismRecipe.FileName), "--seed", seed, "--out", dir, "--threads", "1");
            Assert.True(c == 0, o + e);
        }

        string CrossId(string runDir, string? crossBase)
        {
            string[] args = ["run", "--experiment", "cross-prediction", "--backend", "local", "--base-model", self, "--preset", "quick",
                "--option", "instill_epochs=1", "--seed", "11", "--keep-going", "--out", runDir];
            var (code, stdout, err) = CliTests.Run(crossBase is null ? args : [.. args, "--cross-base-model", crossBase]);
            Assert.True(code == 0, stdout + err);
            var models = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "run.json"))).RootElement.GetProperty("models");
            if (crossBase is not null)
            {
                Assert.Equal(crossBase, models.GetProperty("cross_base").GetProperty("id").GetString());
                Assert.Equal("cross_base", models.GetProperty("cross").GetProperty("from").GetString());
            }
            return models.GetProperty("cross").GetProperty("id").GetString()!;
        }

        string fromOther = CrossId(Path.Combine(root, "run-other"), other);
        string fromSelf = CrossId(Path.Combine(root, "run-self"), null);
        Assert.StartsWith($"ft:{other}:cross:", fromOther);
        Assert.StartsWith("ft:self:cross:", fromSelf);

        string empty = Directory.CreateDirectory(Path.Combine(root, "not-an-organism")).FullName;
        var (code, _, err) = CliTests.Run("run", "--experiment", "cross-prediction", "--backend", "local", "--base-model", self, "--preset", "quick",
            "--option", "instill_epochs=1", "--seed", "11", "--keep-going", "--out", Path.Combine(root, "run-empty"), "--cross-base-model", empty);
        Assert.NotEqual(0, code);
        Assert.Contains("holds no organism", err);
    }
}
