namespace SelfInterp.Analysis.Regression;

/// <summary>
/// One scenario's choices, ready for the logistic regression: for each trial the vector
/// z = s·[1, d₁..d₅], where dᵢ = (Aᵢ − Bᵢ)/(maxᵢ − minᵢ) and s = +1 if A was chosen, −1 if B.
/// With the sign folded in, the log-likelihood of parameters θ is −Σ softplus(−θ·z): one loop with no
/// branch on the outcome. Stored by column (six contiguous arrays) so the loop over trials vectorises.
/// </summary>
public sealed class ChoiceData
{
    public const int Attributes = 5;
    public const int Parameters = Attributes + 1;

    private readonly double[][] _columns = Enumerable.Range(0, Parameters).Select(_ => new double[16]).ToArray();

    public int Count { get; private set; }
    public int ChoseACount { get; private set; }

    /// <summary>Component j of z for every trial (j = 0 is the signed intercept column).</summary>
    public ReadOnlySpan<double> Column(int j) => _columns[j].AsSpan(0, Count);

    /// <summary>Adds a trial from its five normalised differences (A − B)/range.</summary>
    public void Add(ReadOnlySpan<double> normalisedDifferences, bool choseA)
    {
        if (normalisedDifferences.Length != Attributes)
            throw new ArgumentException($"expected {Attributes} differences", nameof(normalisedDifferences));
        if (Count == _columns[0].Length)
            for (int j = 0; j < Parameters; j++) Array.Resize(ref _columns[j], 2 * Count);
        double s = choseA ? 1 : -1;
        _columns[0][Count] = s;
        for (int i = 0; i < Attributes; i++) _columns[i + 1][Count] = s * normalisedDifferences[i];
        Count++;
        if (choseA) ChoseACount++;
    }

    /// <summary>True when some trial's options differ in some attribute.</summary>
    public bool OptionsEverDiffer()
    {
        for (int j = 1; j < Parameters; j++)
            foreach (var v in Column(j)) if (v != 0) return true;
        return false;
    }
}
