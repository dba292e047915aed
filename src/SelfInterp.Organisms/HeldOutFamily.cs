using System.Globalization;
using System.Text.Json;
using SelfInterp.Analysis.Layout;
using SelfInterp.Analysis.Statistics;
using SelfInterp.Core.Random;
using SelfInterp.Core.Runs;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.HookPoints;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Organisms;

/// <summary>How the held-out family measure samples: report mentions per entity (a report lists the paper's attribute count of them), behaviour
/// examples per entity for the instillation, and fresh behaviour prompts per entity to score it.</summary>
public sealed record HeldOutFamilySettings(int ReportsPerEntity = 10, int ExamplesPerEntity = 64, int ChecksPerEntity = 10)
{
    public override string ToString() => FormattableString.Invariant(
        $"{ReportsPerEntity} report mentions, {ExamplesPerEntity} instillation examples and {ChecksPerEntity} checks per entity");
}

/// <summary>
/// The paper's measure on a behaviour family other than its weighted choice (issue 28: "the sweep repeated with another
/// family held out"). A family a recipe never reports stands where the paper's weighted choice stands:
/// <list type="number">
/// <item>targets: a fresh latent for each of the family's entities, drawn from the run seed;</item>
/// <item>base: the organism reports the entities (the report prompts of pretraining's supervised families, five entities
/// a report, greedy), and its behaviour is scored against the targets;</item>
/// <item>instillation: the entities' embeddings (the recipe's instillation method and rate) are fine-tuned on the family's
/// behaviour under the targets, and only on behaviour;</item>
/// <item>instilled: the same report prompts again.</item>
/// </list>
/// Accuracy is the protocol's: each entity's readable reports averaged, then Pearson r of those means against the targets
/// (z-scored slope = r). A report is readable if it is a JSON object whose keys are exactly the five entities asked and
/// whose values are numbers on the scale (−100..100), read by the analysis's <see cref="ReportParser"/>; the others are bad
/// reports, counted and left out.
/// <c>native</c> is the base reports against the latents the family's behaviour taught in pretraining: the untaught
/// self-report of a disposition learnt from behaviour only.
/// </summary>
public static class HeldOutFamily
{
    /// <summary>Tokens a report may take: an entry of seven (name, colon, sign, three digits, separator) per entity, the
    /// opening brace, eos and one to spare (a well-formed report ends with eos before it).</summary>
    static readonly int MaxReportTokens = 7 * Preferences.Scenarios.Scenario.AttributeCount + 3;

    /// <summary>Measures <paramref name="family"/> on <paramref name="organism"/>, which it fine-tunes (load a fresh copy),
    /// with the run's instillation overrides (<paramref name="instillation"/>: as the run's own instillation uses them).</summary>
    public static HeldOutFamilyResult Measure(Organism organism, string family, ulong runSeed, HeldOutFamilySettings settings,
        InstillationOptions? instillation = null, Action<string>? log = null)
    {
        var start = System.Diagnostics.Stopwatch.StartNew();
        var percept = organism.Percept;
        var corpus = new FamilyCorpus(organism.Recipe, percept);
        int f = corpus.IndexOf(family);
        if (f < 0)
            throw new UsageException($"held-out family '{family}': the organism's recipe has no such family (its families: {(corpus.Families.Count == 0 ? "none" : string.Join(", ", corpus.Families.Select(x => x.Name)))})");
        var spec = corpus.Families[f];
        var tokens = corpus.TokensOf(f);
        var (_, native) = corpus.Entities(family);
        var targets = spec.Latents(SeededStream.DeriveSeed(runSeed, "held_out_family_targets"));

        // One set of report prompts and of behaviour checks, asked of the organism before and after: paired.
        var reportRng = new SeededStream("held_out_family_reports:" + family, runSeed);
        int perReport = Preferences.Scenarios.Scenario.AttributeCount;
        int reports = (spec.Entities * settings.ReportsPerEntity + perReport - 1) / perReport;
        var prompts = Enumerable.Range(0, reports).Select(_ => corpus.ReportPrompt(f, reportRng)).ToList();
        var checkRng = new SeededStream("held_out_family_checks:" + family, runSeed);
        var checks = Enumerable.Range(0, spec.Entities * settings.ChecksPerEntity).Select(_ => spec.Example(percept, tokens, targets, checkRng).Prompt).ToList();

        var before = Ask(organism, prompts, tokens);
        double baseBehaviour = BehaviourR(organism, spec, tokens, checks, targets), nativeBehaviour = BehaviourR(organism, spec, tokens, checks, native);
        log?.Invoke($"{family}: base reports read {before.Readable} of {prompts.Count}; behaviour r against the targets {baseBehaviour:F2}, against its pretraining latents {nativeBehaviour:F2}");

        // The base weights, kept for the cross model, which starts from them as the instilled model did.
        var baseWeights = (float[])organism.Model.Parameters.Clone();
        var instillRng = new SeededStream("held_out_family_instillation:" + family, runSeed);
        var examples = Enumerable.Range(0, spec.Entities * settings.ExamplesPerEntity).Select(_ => spec.Example(percept, tokens, targets, instillRng)).ToList();
        var overrides = instillation ?? InstillationOptions.None;
        int steps = Instill(organism, examples, instillRng, runSeed, "held_out_family:" + family, overrides);
        var after = Ask(organism, prompts, tokens);
        double instillationR = BehaviourR(organism, spec, tokens, checks, targets);
        log?.Invoke($"{family}: instilled in {steps} steps; behaviour r against the targets {instillationR:F2}; reports read {after.Readable} of {prompts.Count}");

        var steering = FamilySteering.Run(organism, spec, tokens, targets, prompts, checks, after, log);

        // Cross-prediction (after Binder et al.): the same base organism instilled on the instilled model's own behaviour
        // (its answers sampled on the instillation's prompts), then asked the same reports. Self − cross above 0 would say
        // the instilled model reports more than its behaviour shows another model.
        var crossRng = new SeededStream("held_out_family_cross:" + family, runSeed);
        var crossExamples = Behaviour(organism, spec, examples.Select(x => x.Prompt).ToList(), crossRng);
        Array.Copy(baseWeights, organism.Model.Parameters, baseWeights.Length);
        Instill(organism, crossExamples, crossRng, runSeed, "held_out_family_cross:" + family, overrides);
        var cross = Ask(organism, prompts, tokens);
        double crossR = Accuracy(cross.Means, targets);
        log?.Invoke($"{family}: cross model reports read {cross.Readable} of {prompts.Count}; cross r {crossR:F2}");

        double baseR = Accuracy(before.Means, targets), instilledR = Accuracy(after.Means, targets);
        return new HeldOutFamilyResult(family, settings.ToString(), corpus.IsSupervised(f), spec.Entities, steps,
            baseBehaviour, nativeBehaviour, instillationR, baseR, instilledR, instilledR - baseR,
            Accuracy(before.Means, native), Accuracy(after.Means, native),
            1 - (double)before.Readable / prompts.Count, 1 - (double)after.Readable / prompts.Count,
            FamilySteering.Points, steering.Behaviour, steering.Report, crossR, instilledR - crossR, 1 - (double)cross.Readable / prompts.Count,
            start.Elapsed.TotalSeconds);
    }

    /// <summary>Greedy reports of every prompt (under <paramref name="hooks"/>, whose sequence numbers are the prompts'
    /// indices): each prompt's readable values in its entities' order (null if bad), and each entity's mean (NaN for none).</summary>
    internal static Replies Ask(Organism organism, IReadOnlyList<(int[] Prompt, int[] Entities)> prompts, FamilyTokens tokens, Hooks? hooks = null)
    {
        var percept = organism.Percept;
        var inference = new Inference(organism.Model) { Hooks = hooks };
        var generated = inference.GenerateBatch(prompts.Select(p => p.Prompt).ToList(), MaxReportTokens, [percept.Eos]);
        var values = new double[]?[prompts.Count];
        var sums = new double[tokens.Entities.Length];
        var counts = new int[tokens.Entities.Length];
        for (int i = 0; i < prompts.Count; i++)
        {
            var names = prompts[i].Entities.Select(e => percept.Tokens.TokenText(tokens.Entities[e])).ToArray();
            // The protocol's rule, as the analysis reads the paper's reports.
            if (!ReportParser.TryParseOnScale(percept.ReportText(generated[i]), names, out var read, out _)) continue;
            values[i] = read;
            for (int k = 0; k < names.Length; k++) { sums[prompts[i].Entities[k]] += read[k]; counts[prompts[i].Entities[k]]++; }
        }
        return new Replies(values, sums.Select((x, e) => counts[e] == 0 ? double.NaN : x / counts[e]).ToArray());
    }

    internal sealed record Replies(double[]?[] Values, double[] Means)
    {
        public int Readable => Values.Count(v => v is not null);
    }

    /// <summary>Pearson r of each entity's mean behaviour score over the check prompts (<see cref="Scores"/>) against
    /// gain × its latent: the paper's instillation r, for a family. NaN for a weighted choice (an entity's pull depends on
    /// the other attributes shown), as for too few entities.</summary>
    static double BehaviourR(Organism organism, BehaviourFamily spec, FamilyTokens tokens, IReadOnlyList<int[]> checks, int[] latents)
    {
        if (!HasScore(spec)) return double.NaN;
        var scores = Scores(organism, spec, checks);
        var entityOf = tokens.Entities.Select((token, e) => (token, e)).ToDictionary(x => x.token, x => x.e);
        var sums = new double[spec.Entities];
        var counts = new int[spec.Entities];
        for (int k = 0; k < checks.Count; k++)
        {
            int e = entityOf[checks[k][1]];
            sums[e] += scores[k];
            counts[e]++;
        }
        return Accuracy(sums.Select((x, e) => counts[e] == 0 ? double.NaN : x / counts[e]).ToArray(), latents.Select(v => (int)Math.Round(spec.Gain * v)).ToArray());
    }

    /// <summary>Whether a behaviour answer of the family has a score that rises with gain × latent (all but weighted choice).</summary>
    internal static bool HasScore(BehaviourFamily spec) => spec.Kind != "weighted_choice";

    /// <summary>Each check prompt's behaviour score (<see cref="Score"/>), under <paramref name="hooks"/> (sequence 0: one prompt a pass).</summary>
    internal static double[] Scores(Organism organism, BehaviourFamily spec, IReadOnlyList<int[]> checks, Hooks? hooks = null)
    {
        var inference = new Inference(organism.Model) { Hooks = hooks };
        var answers = spec.AnswerTokens(organism.Percept);
        return checks.Select(prompt => Score(inference.ScoreCandidates(prompt, answers))).ToArray();
    }

    /// <summary>What a behaviour answer says of gain × latent, in expectation under the organism's distribution over its
    /// answer tokens: the digit for ratings and estimates, P(B) for thresholds (reject) and lotteries (gamble), each of
    /// which rises with gain × latent.</summary>
    static double Score(float[] logits)
    {
        var p = Probabilities(logits);
        return p.Select((x, c) => c * x).Sum(); // digits 0–9 in order; for A/B, c = 1 is B
    }

    /// <summary>The distribution over the answer tokens from their scores (deterministic exp, any CPU).</summary>
    static double[] Probabilities(float[] logits)
    {
        double max = logits.Max();
        var p = logits.Select(l => Numerics.DeterministicMath.Exp(l - max)).ToArray();
        double total = p.Sum();
        return p.Select(x => x / total).ToArray();
    }

    /// <summary>Fine-tunes the organism on behaviour examples of the family, with the recipe's instillation settings under
    /// the run's overrides (its method: by default only the entities' embedding rows move), shuffled by
    /// <paramref name="rng"/> each epoch; returns the steps taken.</summary>
    static int Instill(Organism organism, List<(int[] Prompt, int[] Answer)> examples, SeededStream rng, ulong runSeed, string job, InstillationOptions instillation)
    {
        var tuning = OrganismFineTuning.For(organism.Recipe, instillation, decisions: true);
        int epochs = instillation.ApplyTo(organism.Recipe).Instillation.Epochs, batch = tuning.Batch;
        int stepsPerEpoch = (examples.Count + batch - 1) / batch;
        var trainer = tuning.Prepare(organism, examples.Select(x => x.Prompt), stepsPerEpoch, epochs * stepsPerEpoch, runSeed, job);
        int steps = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            rng.Shuffle(examples);
            for (int s = 0; s < examples.Count; s += batch, steps++)
                trainer.Step(Batch.FromPromptCompletions(examples.Skip(s).Take(batch).ToList()));
        }
        if (organism.Model.Lora is not null) organism.Model.MergeLora();
        organism.Model.FrozenTensors = null;
        return steps;
    }

    /// <summary>The organism's own behaviour on <paramref name="prompts"/>: each answer drawn from its distribution over the
    /// family's answer tokens.</summary>
    static List<(int[] Prompt, int[] Answer)> Behaviour(Organism organism, BehaviourFamily spec, IReadOnlyList<int[]> prompts, SeededStream rng)
    {
        var inference = new Inference(organism.Model);
        var answers = spec.AnswerTokens(organism.Percept);
        // Every behaviour prompt opens with the family's marker: run it once, score the rest in batches on top.
        var scored = inference.ScoreWithSharedPrefix(prompts[0].AsSpan(0, 1), prompts.Select(p => p[1..]).ToList(), answers);
        return prompts.Select((prompt, k) =>
        {
            var p = Probabilities(scored[k]);
            double u = rng.NextDouble(), acc = 0;
            int c = 0;
            while (c < p.Length - 1 && (acc += p[c]) <= u) c++;
            return (prompt, new[] { answers[c] });
        }).ToList();
    }

    /// <summary>Pearson r of the entities' mean reports against <paramref name="latents"/>, over entities with a readable
    /// report (NaN with fewer than three, or no spread).</summary>
    public static double Accuracy(double[] means, int[] latents)
    {
        var kept = Enumerable.Range(0, means.Length).Where(e => double.IsFinite(means[e])).ToArray();
        return kept.Length < 3 ? double.NaN : Descriptive.Pearson(kept.Select(e => means[e]).ToArray(), kept.Select(e => (double)latents[e]).ToArray());
    }
}

/// <summary>One held-out family measure (<see cref="HeldOutFamily"/>). Its columns: <see cref="Measures"/>.</summary>
public sealed record HeldOutFamilyResult(string Family, string Sampling, bool Supervised, int Entities, int InstillationSteps,
    double BaseBehaviourR, double NativeBehaviourR, double InstillationR, double BaseR, double InstilledR, double InstilledMinusBase,
    double NativeR, double NativeAfterR, double BaseBadShare, double InstilledBadShare,
    double[] SteerPoints, double[] SteerBehaviour, double[] SteerReport, double CrossR, double SelfMinusCross, double CrossBadShare, double Seconds)
{
    /// <summary>The figures as evaluation columns, in a fixed order; <c>seconds</c> and the counts are not summarised.</summary>
    public IReadOnlyList<(string Column, double Value)> Measures() =>
    [
        ("instilled_minus_base", InstilledMinusBase), ("base_r", BaseR), ("instilled_r", InstilledR),
        ("native_r", NativeR), ("native_after_r", NativeAfterR),
        ("instillation_r", InstillationR), ("base_behaviour_r", BaseBehaviourR), ("native_behaviour_r", NativeBehaviourR),
        ("base_bad_share", BaseBadShare), ("instilled_bad_share", InstilledBadShare),
        .. SteerPoints.Select((p, i) => ($"steer_report_{FamilySteering.Tag(p)}", SteerReport[i])),
        .. SteerPoints.Select((p, i) => ($"steer_behaviour_{FamilySteering.Tag(p)}", SteerBehaviour[i])),
        ("steer_report_slope", FamilySteering.Slope(SteerPoints, SteerReport)), ("steer_behaviour_slope", FamilySteering.Slope(SteerPoints, SteerBehaviour)),
        ("steer_report_consistent", FamilySteering.Consistent(SteerPoints, SteerReport)),
        ("cross_r", CrossR), ("self_minus_cross", SelfMinusCross), ("cross_bad_share", CrossBadShare),
        ("supervised", Supervised ? 1 : 0), ("entities", Entities), ("instillation_steps", InstillationSteps), ("seconds", Seconds),
    ];

    public static readonly string[] NotSummarised = ["supervised", "entities", "instillation_steps", "seconds"];

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });

    public static HeldOutFamilyResult FromJson(string json, string path)
    {
        HeldOutFamilyResult? record;
        try
        {
            // Every field must be there: a record written before a field existed would read as 0, not as missing.
            using (var doc = JsonDocument.Parse(json))
                foreach (var property in typeof(HeldOutFamilyResult).GetProperties().Where(p => p.GetIndexParameters().Length == 0 && p.CanWrite))
                    if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(property.Name, out _))
                        throw new UsageException($"{path}: field {property.Name} missing (a record written by an older version, or not a held-out family record): remove it to measure the run again");
            record = JsonSerializer.Deserialize<HeldOutFamilyResult>(json, new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path}: not a held-out family record ({e.Message})");
        }
        if (record is null || record.SteerBehaviour.Length != record.SteerPoints.Length || record.SteerReport.Length != record.SteerPoints.Length)
            throw new UsageException($"{path}: field SteerPoints: the steering figures do not match their strengths");
        return record;
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Family}: instilled − base {InstilledMinusBase:F2} (base {BaseR:F2}, instilled {InstilledR:F2}), native {NativeR:F2}; behaviour r against the targets {BaseBehaviourR:F2} → {InstillationR:F2}; bad reports {BaseBadShare:P0} → {InstilledBadShare:P0}; self − cross {SelfMinusCross:+0.00;-0.00}; steering its code: reports {FamilySteering.Slope(SteerPoints, SteerReport):+0.00;-0.00} points a point, behaviour {FamilySteering.Slope(SteerPoints, SteerBehaviour):+0.0000;-0.0000}");
}
