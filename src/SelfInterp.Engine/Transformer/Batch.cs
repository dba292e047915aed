namespace SelfInterp.Engine.Transformer;

/// <summary>A right-padded training batch: tokens [Size, SeqLen], a next-token target per position
/// (<see cref="IgnoreIndex"/> where no loss is taken, including all padding; <see cref="AnyOf"/> for "any token of
/// this set") and each sequence's true length.</summary>
public sealed class Batch
{
    public const int IgnoreIndex = -1;

    /// <summary>The target "any token of <see cref="TargetSets"/>[set]": its loss is −log of the set's total
    /// probability, so it teaches what kind of token comes next without saying which.</summary>
    public static int AnyOf(int set) => -2 - set;

    /// <summary>The set an <see cref="AnyOf"/> target names, or -1 for a plain token target.</summary>
    public static int SetOf(int target) => target <= -2 ? -2 - target : -1;

    public int Size { get; }
    public int SeqLen { get; }
    public int[] Tokens { get; }
    public int[] Targets { get; }
    public int[] Lengths { get; }
    public int TargetCount { get; }
    public IReadOnlyList<int[]> TargetSets { get; }

    public Batch(int size, int seqLen, int[] tokens, int[] targets, int[] lengths, IReadOnlyList<int[]>? targetSets = null)
    {
        targetSets ??= [];
        foreach (int t in targets)
            if (SetOf(t) >= targetSets.Count) throw new ArgumentException($"target set {SetOf(t)} not among the batch's {targetSets.Count}");
        if (targetSets.Any(x => x.Length == 0)) throw new ArgumentException("an empty target set");
        if (tokens.Length != size * seqLen || targets.Length != size * seqLen || lengths.Length != size)
            throw new ArgumentException("batch arrays do not match size × seqLen");
        for (int b = 0; b < size; b++)
        {
            if (lengths[b] < 1 || lengths[b] > seqLen) throw new ArgumentException($"sequence {b}: length {lengths[b]} outside 1..{seqLen}");
            for (int t = lengths[b]; t < seqLen; t++)
                if (targets[b * seqLen + t] != IgnoreIndex) throw new ArgumentException($"sequence {b}: target at padding position {t}");
        }
        (Size, SeqLen, Tokens, Targets, Lengths, TargetSets) = (size, seqLen, tokens, targets, lengths, targetSets);
        TargetCount = targets.Count(x => x != IgnoreIndex);
    }

    /// <summary>Builds a batch where the loss is taken only on predicting each completion's tokens
    /// (e.g. the assistant's answer), given after its prompt. Sequences are right-padded with token 0.</summary>
    public static Batch FromPromptCompletions(IReadOnlyList<(int[] Prompt, int[] Completion)> examples) =>
        FromPromptCompletions(examples.Select(x => (x.Prompt, x.Completion, x.Completion)).ToList(), []);

    /// <summary>As above, with what each completion token is trained towards given beside it: itself,
    /// <see cref="IgnoreIndex"/>, or <see cref="AnyOf"/> a set of <paramref name="sets"/>.</summary>
    public static Batch FromPromptCompletions(IReadOnlyList<(int[] Prompt, int[] Completion, int[] CompletionTargets)> examples, IReadOnlyList<int[]> sets)
    {
        var tokens = new List<int[]>(examples.Count);
        var expect = new List<int[]>(examples.Count);
        foreach (var (prompt, completion, targets) in examples)
        {
            if (prompt.Length == 0) throw new ArgumentException("prompt must have at least one token");
            if (targets.Length != completion.Length) throw new ArgumentException($"{targets.Length} targets for a completion of {completion.Length} tokens");
            tokens.Add([.. prompt, .. completion]);
            expect.Add([.. Enumerable.Repeat(IgnoreIndex, prompt.Length), .. targets]);
        }
        return FromSequences(tokens, expect, sets);
    }

    /// <summary>predict[s][t] marks token t of sequence s as a loss target (predicted from positions before it).</summary>
    public static Batch FromSequences(IReadOnlyList<int[]> sequences, IReadOnlyList<bool[]> predict)
    {
        var targets = new int[sequences.Count][];
        for (int b = 0; b < sequences.Count; b++)
        {
            if (predict[b].Length != sequences[b].Length) throw new ArgumentException($"sequence {b}: mask length {predict[b].Length} ≠ {sequences[b].Length}");
            targets[b] = sequences[b].Select((token, t) => predict[b][t] ? token : IgnoreIndex).ToArray();
        }
        return FromSequences(sequences, targets, []);
    }

    /// <summary>expect[s][t] is what predicting token t of sequence s is trained towards: that token itself (or any
    /// other), <see cref="IgnoreIndex"/> for no loss, or <see cref="AnyOf"/> a set of <paramref name="sets"/>.</summary>
    public static Batch FromSequences(IReadOnlyList<int[]> sequences, IReadOnlyList<int[]> expect, IReadOnlyList<int[]> sets)
    {
        int size = sequences.Count, seqLen = sequences.Max(s => s.Length);
        var tokens = new int[size * seqLen];
        var targets = new int[size * seqLen];
        var lengths = new int[size];
        Array.Fill(targets, IgnoreIndex);
        for (int b = 0; b < size; b++)
        {
            var s = sequences[b];
            if (expect[b].Length != s.Length) throw new ArgumentException($"sequence {b}: {expect[b].Length} targets for {s.Length} tokens");
            lengths[b] = s.Length;
            s.CopyTo(tokens, b * seqLen);
            for (int t = 0; t + 1 < s.Length; t++) targets[b * seqLen + t] = expect[b][t + 1];
        }
        return new Batch(size, seqLen, tokens, targets, lengths, sets);
    }
}
