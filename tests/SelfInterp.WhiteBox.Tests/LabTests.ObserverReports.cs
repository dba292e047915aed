using SelfInterp.Core.Random;
using SelfInterp.Engine.Transformer;
using SelfInterp.Organisms;
using SelfInterp.Preferences.Generation;

namespace SelfInterp.WhiteBox.Tests;

/// <summary>The lab reads reports as the analysis counts them: a reply that parses but has a value off the scale asked
/// for (an organism's saturated ±999) is a bad report, left out of every probe, read-out and intervention, not a weight
/// of 999 that would move a slope. (A part of <see cref="LabTests"/>, so it shares that class's small run.)</summary>
public partial class LabTests
{
    /// <summary>The shipped organism, with every report's text replaced by the one the test gives per trial.</summary>
    private sealed class FixedReports(OrganismSubject inner, Func<int, string> text) : LabSubject
    {
        private int _calls;
        public override Model Model => inner.Model;
        public override int TokenA => inner.TokenA;
        public override int TokenB => inner.TokenB;
        public override IReadOnlyCollection<int> StopTokens => inner.StopTokens;
        public override int[] Decision(Trial trial) => inner.Decision(trial);
        public override int[] Report(Trial trial) => inner.Report(trial);
        public override string ReportText(int[] generated) => text(_calls++);
        public override int DecisionName(Trial trial, int attribute) => inner.DecisionName(trial, attribute);
        public override int DecisionAnswer(Trial trial) => inner.DecisionAnswer(trial);
        public override int ReportListedName(Trial trial, int attribute) => inner.ReportListedName(trial, attribute);
        public override int ReportTrialName(Trial trial, int attribute) => inner.ReportTrialName(trial, attribute);
        public override LabSubject With(Model model) => throw new NotSupportedException();
    }

    [Fact]
    public void A_report_off_the_scale_is_a_bad_report_and_one_on_its_edge_is_read()
    {
        var run = LabRun.Open(small.Path, "probe", 1);
        var scenario = run.Plan.Catalog.Scenarios[0];
        var names = scenario.Attributes.Select(a => a.Name).ToArray();
        string Report(params int[] w) => "{" + string.Join(", ", names.Select((n, i) => $"\"{n}\": {w[i]}")) + "}";
        string[] texts = [Report(-100, 100, 0, 5, -5), Report(-999, 100, 0, 5, -5), Report(3, 2, 1, 0, 101), "not a report"];
        var subject = new FixedReports(new OrganismSubject(run.Organism("base")), i => texts[i]);
        var rng = new SeededStream("observer-test", 1);
        var trials = texts.Select(_ => run.Plan.DrawTrial(0, rng)).ToList();

        var reports = new Observer(subject, run.Plan.Catalog, 8).Reports(trials);

        Assert.Equal([-100.0, 100, 0, 5, -5], Assert.IsType<double[]>(reports[0]));
        Assert.Null(reports[1]);
        Assert.Null(reports[2]);
        Assert.Null(reports[3]);
    }
}
