using SelfInterp.Organisms;
using SelfInterp.Preferences.Catalog;
using SelfInterp.Preferences.Generation;
using SelfInterp.Analysis.Layout;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.HookPoints;

namespace SelfInterp.WhiteBox;

/// <summary>Runs trials through a lab subject (an organism or a Hugging Face model), optionally with hooks: the
/// decision's logit P(A) − logit P(B) and the parsed reports. Sequence numbers seen by hooks are the trial's index in
/// the list.</summary>
public sealed class Observer(LabSubject subject, ScenarioCatalog catalog, int reportMaxTokens)
{
    public LabSubject Subject { get; } = subject;

    /// <summary>log P(A) − log P(B) after each trial's decision prompt.</summary>
    public double[] DecisionLogits(IReadOnlyList<Trial> trials, Hooks? hooks = null)
    {
        var p = Subject;
        var inference = new Inference(Subject.Model) { Hooks = hooks };
        // Empty shared prefix: positions and sequence numbers are those of each prompt alone.
        var scores = inference.ScoreWithSharedPrefix([], trials.Select(p.Decision).ToList(), [p.TokenA, p.TokenB]);
        return scores.Select(s => (double)s[0] - s[1]).ToArray();
    }

    /// <summary>The reported weights of each trial's report prompt (greedy), null where the reply is a bad report: it does
    /// not parse, or a value is off the scale asked for (as the analysis counts it).</summary>
    public double[]?[] Reports(IReadOnlyList<Trial> trials, Hooks? hooks = null)
    {
        var p = Subject;
        var inference = new Inference(Subject.Model) { Hooks = hooks };
        var replies = inference.GenerateBatch(trials.Select(p.Report).ToList(), reportMaxTokens, p.StopTokens);
        return replies.Select((r, i) => ReportParser.TryParseOnScale(p.ReportText(r), catalog.Scenarios[trials[i].Scenario], out var w, out _) ? w : null).ToArray();
    }

    /// <summary>Hooks that record the residual stream at the given points and (prompt-relative) positions of each
    /// trial into cache[point, trial index, position], to pass to <see cref="DecisionLogits"/> or <see cref="ReportPass"/>.</summary>
    public static Hooks Recorder(IReadOnlyList<HookPoint> points, IReadOnlyList<HashSet<int>> positions, ActivationCache cache)
    {
        var hooks = new Hooks();
        foreach (var point in points) hooks.Record(point, cache, (trial, pos) => positions[trial].Contains(pos));
        return hooks;
    }

    /// <summary>One forward pass over each trial's report prompt (no decoding), for its hooks.</summary>
    public void ReportPass(IReadOnlyList<Trial> trials, Hooks hooks)
    {
        new Inference(Subject.Model) { Hooks = hooks }.ScoreWithSharedPrefix([], trials.Select(Subject.Report).ToList(), [Subject.TokenA]);
    }
}
