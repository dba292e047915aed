using SelfInterp.Organisms;
using SelfInterp.Preferences.Generation;
using SelfInterp.Experiments.Preferences;

namespace SelfInterp.WhiteBox.Tests;

public class ReverseTests(SmallLocalRun small) : IClassFixture<SmallLocalRun>
{
    /// <summary>The base model's choices on fresh trials of the run's instilled scenarios, as reverse fine-tuning data,
    /// measured as choice weights on other fresh trials.</summary>
    static Reversal BaseChoices(LabRun run, OrganismFineTuning tuning)
    {
        var plan = run.Plan;
        var baseModel = run.Organism("base");
        var train = plan.Config.InstilledScenarios.SelectMany(s => LabTrials.Draw(plan, s, 20, "test_train")).ToList();
        var logits = new Observer(new OrganismSubject(baseModel), plan.Catalog, plan.Config.ReportMaxTokens).DecisionLogits(train);
        var measure = plan.Config.InstilledScenarios.ToDictionary(s => s, s => LabTrials.Draw(plan, s, 12, "test_measure"));
        return new Reversal(tuning, train.Select((t, i) => (baseModel.Percept.Decision(t), baseModel.Percept.DecisionAnswer(logits[i] > 0 ? 'A' : 'B'))).ToList(),
            o => ChoiceWeights.Of(new Observer(new OrganismSubject(o), plan.Catalog, plan.Config.ReportMaxTokens), plan, measure));
    }

    /// <summary>The base model moved a few steps away (<paramref name="pushSteps"/> steps of <paramref name="method"/> at
    /// <paramref name="rate"/>× instillation's rate, on choices by the instilled targets), its control (the same model with the
    /// instilled scenarios' names drawn afresh), and both reverse fine-tuned on the base model's choices with the same method and rate.</summary>
    static List<ReverseRow> MovedAndControl(LabRun run, string method, float rate, int pushSteps, int[] steps)
    {
        var plan = run.Plan;
        var baseModel = run.Organism("base");
        var tuning = OrganismFineTuning.For(baseModel.Recipe, InstillationOptions.None, decisions: true) with { Method = method };
        tuning = tuning with { LearningRate = tuning.LearningRate * rate };
        var away = plan.Config.InstilledScenarios.SelectMany(s => LabTrials.Draw(plan, s, 20, "test_away")).ToList();
        var push = new Reversal(tuning,
            away.Select(t => (baseModel.Percept.Decision(t), baseModel.Percept.DecisionAnswer(Utility.Choice(plan.Scenario(t.Scenario), plan.TargetWeights(t.Scenario), t)))).ToList(),
            _ => []);
        var moved = push.Train(baseModel, [0, pushSteps], "test_away", 7);
        var control = ReverseStudy.ControlOf(moved, plan, 7);
        var back = BaseChoices(run, tuning);
        return RevivalMeasure.Rows("choices", "moved", back.Behaviour(baseModel), back.Curve(moved, steps, "test", 7), back.Curve(control, steps, "test", 7), 0.5, 7);
    }

    static ReverseRow Row(List<ReverseRow> rows, string model, string measure, double step = double.NaN) =>
        rows.Single(r => r.Model == model && r.Measure == measure && (double.IsNaN(step) || r.Step == step));

    [Fact]
    public void A_wrapper_over_intact_names_revives_fast_and_the_control_with_fresh_names_does_not()
    {
        // Moving only the body changes the choices while the names keep the base model's preferences: a wrapper.
        var rows = MovedAndControl(LabRun.Open(small.Path, "wrapper", 2), "body", 3, 4, [0, 2, 4, 8, 16, 32]);
        Assert.True(Row(rows, "moved", "r_with_original", 0).Value < 0.5, $"the moved model has lost the base choices: {Row(rows, "moved", "r_with_original", 0)}");
        double moved = Row(rows, "moved", "steps_to_revive").Value, control = Row(rows, "control", "steps_to_revive").Value;
        Assert.True(double.IsFinite(moved) && moved > 0, $"the moved model revives within the schedule: {moved}");
        Assert.True(control > moved, $"the control revives later or never: {control} vs {moved}");
        // Where the moved model has revived, it is closer to the base model's choices than its control (which may catch
        // up later in the schedule: the measure is how soon, not where both end).
        int revived = new[] { 0, 2, 4, 8, 16, 32 }.First(step => step >= moved);
        var then = Row(rows, "moved_minus_control", "r_with_original", revived);
        Assert.True(then.Low > 0, $"at step {revived}, where the moved model has revived, it is closer to the base model's choices than its control: {then}");
        Assert.Equal(6, Row(rows, "moved", "steps_to_revive").Units);
        Assert.Equal(30, Row(rows, "moved", "r_with_original", 0).Units);
    }

    [Fact]
    public void A_few_steps_of_instillation_revive_faster_than_fresh_names_learn_the_base_choices()
    {
        // Instillation's own method: ten steps move the names; reverse fine-tuning moves them back sooner than it writes
        // the base model's preferences into names that never had them.
        var rows = MovedAndControl(LabRun.Open(small.Path, "wrapper", 2), "embeddings", 1, 10, [0, 2, 4, 8, 16]);
        Assert.True(Row(rows, "moved", "r_with_original", 0).Value < 0.5, $"{Row(rows, "moved", "r_with_original", 0)}");
        Assert.True(Row(rows, "moved", "steps_to_revive").Value < Row(rows, "control", "steps_to_revive").Value,
            $"{Row(rows, "moved", "steps_to_revive")} vs {Row(rows, "control", "steps_to_revive")}");
        Assert.True(Row(rows, "moved_minus_control", "r_with_original", 8).Value > 0);
    }

    [Fact]
    public void Steps_to_reach_a_fraction_interpolate_between_schedule_steps_and_are_infinite_when_not_reached()
    {
        Assert.Equal(0, RevivalMeasure.StepsToReach([0, 5, 10], [0.6, 0.7, 0.8], 0.5));
        Assert.Equal(7.5, RevivalMeasure.StepsToReach([0, 5, 10], [0.1, 0.4, 0.6], 0.5), 1e-9);
        Assert.Equal(double.PositiveInfinity, RevivalMeasure.StepsToReach([0, 5, 10], [0.1, 0.4, 0.45], 0.5));
        Assert.Equal(5, RevivalMeasure.StepsToReach([0, 5, 10], [double.NaN, 0.9, 0.45], 0.5));
    }

    [Fact]
    public void The_study_runs_both_directions_writes_a_tidy_csv_and_puts_the_revival_curves_beside_the_pruning_curve()
    {
        var run = LabRun.Open(small.Path, "wrapper --method reverse", 2);
        var rows = ReverseStudy.Run(run, new ReverseStudy.Settings(Trials: 10, Reports: 2, Steps: [0, 2, 4], Fraction: 0.5));
        foreach (var (direction, changed) in new[] { ("choices", "instilled"), ("reports", "itrained") })
        {
            foreach (var model in new[] { changed, "control" })
            {
                Assert.Equal([0.0, 2, 4], rows.Where(r => r.Direction == direction && r.Model == model && r.Measure == "r_with_original").Select(r => r.Step));
                var steps = rows.Single(r => r.Direction == direction && r.Model == model && r.Measure == "steps_to_revive");
                Assert.Equal(0.5, steps.Fraction);
                Assert.True(steps.Value >= 0);
            }
            Assert.Equal(3, rows.Count(r => r.Direction == direction && r.Model == $"{changed}_minus_control"));
        }
        // Step 0 is the changed model itself: the instilled model's choices follow its targets more than the base model's.
        var start = rows.Single(r => r.Direction == "choices" && r.Model == "instilled" && r.Step == 0);
        Assert.InRange(start.Value, -1, 0.9);

        string analysis = System.IO.Path.Combine(small.Path, Analysis.Layout.PaperLayout.AnalysisDirectory);
        Directory.CreateDirectory(analysis);
        string csv = System.IO.Path.Combine(analysis, ReverseStudy.FileName);
        ReverseStudy.Write(csv, rows);
        var read = ReverseStudy.Read(csv);
        Assert.Equal(rows.Count, read.Count);
        Assert.Equal(rows.Select(r => (r.Direction, r.Model, r.Measure, r.Units)), read.Select(r => (r.Direction, r.Model, r.Measure, r.Units)));
        Assert.Equal(rows.Select(r => double.IsPositiveInfinity(r.High)), read.Select(r => double.IsPositiveInfinity(r.High)));
        Assert.Equal("direction,model,measure,step,fraction,units,value,low,high", File.ReadLines(csv).First());

        WrapperStudy.Write(System.IO.Path.Combine(analysis, WrapperStudy.FileName), WrapperStudy.Run(run, trials: 10, reports: 2));
        var (html, md) = WhiteBoxReport.Write(small.Path);
        string page = File.ReadAllText(html);
        Assert.Contains("id=\"wrapper-pruning\"", page);
        Assert.Contains("id=\"revival-choices\"", page);
        Assert.Contains("id=\"revival-reports\"", page);
        Assert.Contains("## Wrapper test (reverse fine-tuning)", File.ReadAllText(md));
        Assert.Contains("| choices | control |", File.ReadAllText(md));
    }
}
