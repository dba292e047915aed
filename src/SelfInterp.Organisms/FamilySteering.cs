using System.Globalization;
using SelfInterp.Engine.HookPoints;

namespace SelfInterp.Organisms;

/// <summary>
/// Steering a held-out family's code in the instilled organism (issue 28: "steering the held-out family's behaviour
/// direction moves reports with one consistent sign at every strength"). The direction is what the instillation wrote:
/// the least-squares slope of the entities' embedding rows on their targets (row ≈ a + target · w), so adding
/// s · w at an entity's embedding makes it read s latent points higher along that code. At each strength it is added at
/// every position of an entity of the family in the prompt (the report prompt lists each entity and shows it in a slot;
/// a behaviour prompt shows it once), and the change from the unsteered instilled model is measured on the same prompts:
/// <list type="bullet">
/// <item>report: each readable report's values minus the unsteered report's, averaged over the prompts both read (points);</item>
/// <item>behaviour: each check prompt's score minus the unsteered one, times the sign of the family's gain (so a code that
/// drives behaviour moves it with the strength's sign).</item>
/// </list>
/// </summary>
public static class FamilySteering
{
    /// <summary>The strengths, in latent points along the code.</summary>
    public static readonly double[] Points = [-40, -20, -10, 10, 20, 40];

    public static string Tag(double points) => (points < 0 ? "m" : "p") + Math.Abs(points).ToString("0", CultureInfo.InvariantCulture);

    internal static (double[] Behaviour, double[] Report) Run(Organism organism, BehaviourFamily spec, FamilyTokens tokens, int[] targets,
        IReadOnlyList<(int[] Prompt, int[] Entities)> prompts, IReadOnlyList<int[]> checks, HeldOutFamily.Replies control, Action<string>? log)
    {
        var w = Direction(organism, tokens, targets);
        var entities = tokens.Entities.ToHashSet();
        bool scored = HeldOutFamily.HasScore(spec);
        var controlScores = scored ? HeldOutFamily.Scores(organism, spec, checks) : [];
        var behaviour = new double[Points.Length];
        var report = new double[Points.Length];
        for (int i = 0; i < Points.Length; i++)
        {
            float s = (float)Points[i];
            var reportHooks = new Hooks().AddVector(HookPoint.Embed, w, s, (seq, pos) => pos < prompts[seq].Prompt.Length && entities.Contains(prompts[seq].Prompt[pos]));
            var steered = HeldOutFamily.Ask(organism, prompts, tokens, reportHooks);
            var changes = Enumerable.Range(0, prompts.Count).Where(k => steered.Values[k] is not null && control.Values[k] is not null)
                .Select(k => steered.Values[k]!.Zip(control.Values[k]!, (a, b) => a - b).Average()).ToList();
            report[i] = changes.Count == 0 ? double.NaN : changes.Average();
            if (scored)
            {
                // A behaviour prompt is scored alone (sequence 0); its entity is at position 1, after the family's marker.
                var checkHooks = new Hooks().AddVector(HookPoint.Embed, w, s, (_, pos) => pos == 1);
                var scores = HeldOutFamily.Scores(organism, spec, checks, checkHooks);
                behaviour[i] = Math.Sign(spec.Gain) * scores.Select((x, k) => x - controlScores[k]).Average();
            }
            else behaviour[i] = double.NaN;
            log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{spec.Name}: steered {Points[i]:+0;-0} points: report change {report[i]:+0.0;-0.0}, behaviour change {behaviour[i]:+0.000;-0.000}"));
        }
        return (behaviour, report);
    }

    /// <summary>The least-squares slope of the entities' embedding rows on their targets: how a row changes per latent point.</summary>
    public static float[] Direction(Organism organism, FamilyTokens tokens, int[] targets)
    {
        var model = organism.Model;
        int d = model.Config.Dim;
        long start = model.Layout.Embedding;
        double tm = targets.Average(), stt = targets.Sum(t => (t - tm) * (t - tm));
        var mean = new double[d];
        foreach (int token in tokens.Entities)
            for (int j = 0; j < d; j++) mean[j] += model.Parameters[start + (long)token * d + j];
        for (int j = 0; j < d; j++) mean[j] /= tokens.Entities.Length;
        var w = new double[d];
        for (int e = 0; e < tokens.Entities.Length; e++)
            for (int j = 0; j < d; j++) w[j] += (targets[e] - tm) * (model.Parameters[start + (long)tokens.Entities[e] * d + j] - mean[j]);
        return w.Select(x => stt == 0 ? 0f : (float)(x / stt)).ToArray();
    }

    /// <summary>The least-squares slope through the origin of the changes on the strengths (NaN where any is missing).</summary>
    public static double Slope(double[] points, double[] changes) =>
        changes.Any(c => !double.IsFinite(c)) ? double.NaN : points.Zip(changes, (p, c) => p * c).Sum() / points.Sum(p => p * p);

    /// <summary>1 when every change has its strength's sign, 0 when one does not, NaN where any is missing.</summary>
    public static double Consistent(double[] points, double[] changes) =>
        changes.Any(c => !double.IsFinite(c)) ? double.NaN : points.Zip(changes).All(x => x.First * x.Second > 0) ? 1 : 0;
}
