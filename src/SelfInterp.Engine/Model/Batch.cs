namespace SelfInterp.Engine;

/// <summary>A right-padded training batch: tokens [Size, SeqLen], a next-token target per position
/// (<see cref="IgnoreIndex"/> where no loss is taken, including all padding) and each sequence's true length.</summary>
public sealed class Batch
{
    public const int IgnoreIndex = -1;

    public int Size { get; }
    public int SeqLen { get; }
    public int[] Tokens { get; }
    public int[] Targets { get; }
    public int[] Lengths { get; }
    public int TargetCount { get; }

    public Batch(int size, int seqLen, int[] tokens, int[] targets, int[] lengths)
    {
        if (tokens.Length != size * seqLen || targets.Length != size * seqLen || lengths.Length != size)
            throw new ArgumentException("batch arrays do not match size × seqLen");
        for (int b = 0; b < size; b++)
        {
            if (lengths[b] < 1 || lengths[b] > seqLen) throw new ArgumentException($"sequence {b}: length {lengths[b]} outside 1..{seqLen}");
            for (int t = lengths[b]; t < seqLen; t++)
                if (targets[b * seqLen + t] != IgnoreIndex) throw new ArgumentException($"sequence {b}: target at padding position {t}");
        }
        (Size, SeqLen, Tokens, Targets, Lengths) = (size, seqLen, tokens, targets, lengths);
        TargetCount = targets.Count(x => x != IgnoreIndex);
    }

    /// <summary>Builds a batch where the loss is taken only on predicting each completion's tokens
    /// (e.g. the assistant's answer), given after its prompt. Sequences are right-padded with token 0.</summary>
    public static Batch FromPromptCompletions(IReadOnlyList<(int[] Prompt, int[] Completion)> examples)
    {
        var tokens = new List<int[]>(examples.Count);
        var predict = new List<bool[]>(examples.Count);
        foreach (var (prompt, completion) in examples)
        {
            if (prompt.Length == 0) throw new ArgumentException("prompt must have at least one token");
            tokens.Add([.. prompt, .. completion]);
            var mask = new bool[prompt.Length + completion.Length];
            Array.Fill(mask, true, prompt.Length, completion.Length);
            predict.Add(mask);
        }
        return FromSequences(tokens, predict);
    }

    /// <summary>predict[s][t] marks token t of sequence s as a loss target (predicted from positions before it).</summary>
    public static Batch FromSequences(IReadOnlyList<int[]> sequences, IReadOnlyList<bool[]> predict)
    {
        int size = sequences.Count, seqLen = sequences.Max(s => s.Length);
        var tokens = new int[size * seqLen];
        var targets = new int[size * seqLen];
        var lengths = new int[size];
        Array.Fill(targets, IgnoreIndex);
        for (int b = 0; b < size; b++)
        {
            var s = sequences[b];
            if (predict[b].Length != s.Length) throw new ArgumentException($"sequence {b}: mask length {predict[b].Length} ≠ {s.Length}");
            lengths[b] = s.Length;
            s.CopyTo(tokens, b * seqLen);
            for (int t = 0; t + 1 < s.Length; t++)
                if (predict[b][t + 1]) targets[b * seqLen + t] = s[t + 1];
        }
        return new Batch(size, seqLen, tokens, targets, lengths);
    }
}
