using SelfInterp.Core.Runs;
using SelfInterp.Experiments.OrganismEvaluation;

namespace SelfInterp.Backends.Tests.OrganismEvaluation;

/// <summary>evaluation.csv holds one column list: rows with others (a row kept from an archive made with other options,
/// or from an earlier version) are refused, not written under the wrong headers.</summary>
public class EvaluationRowsFileTests
{
    static EvaluationRow Row(ulong seed, params string[] columns) => new("pretrain-7", 7, seed, columns.Select((c, i) => (c, (double)i)).ToList());

    [Fact]
    public void Rows_round_trip_and_rows_with_other_columns_are_refused_with_both_runs_named()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("rows").FullName, "evaluation.csv");
        EvaluationTables.WriteRows(path, [Row(11, "a", "b"), Row(12, "a", "b")]);
        Assert.Equal([11UL, 12UL], EvaluationRow.ReadAll(path).Select(r => r.RunSeed));

        var extra = Assert.Throws<UsageException>(() => EvaluationTables.WriteRows(path, [Row(11, "a", "b"), Row(12, "a", "b", "sham_permuted_x")]));
        Assert.Contains("pretrain-7 run seed 12 has other columns than pretrain-7 run seed 11", extra.Message);
        Assert.Contains("sham_permuted_x", extra.Message);
        var order = Assert.Throws<UsageException>(() => EvaluationTables.WriteRows(path, [Row(11, "a", "b"), Row(12, "b", "a")]));
        Assert.Contains("the same in another order", order.Message);
        // Nothing was written by a refused call.
        Assert.Equal(3, File.ReadAllLines(path).Length);
    }
}
