namespace SelfInterp.Analysis.Regression;

/// <summary>
/// One scenario's choices, ready for the logistic regression: for each trial the row
/// s·[1, d₁..d₅], where dᵢ = (Aᵢ − Bᵢ)/(maxᵢ − minᵢ) and s = +1 if A was chosen, −1 if B.
/// With this sign folded in, the log-likelihood of parameters θ is −Σ softplus(−θ·row), one loop
/// with no branch on the outcome.
/// </summary>
public sealed class ChoiceData
{
    public const int Attributes = 5;
    public const int Parameters = Attributes + 1;

    private readonly List<double> _rows = [];
    private readonly List<bool> _choseA = [];

    public int Count => _choseA.Count;
    public int ChoseACount { get; private set; }

    /// <summary>Rows s·[1, d], flattened (Count × 6).</summary>
    public ReadOnlySpan<double> SignedRows => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_rows);

    /// <summary>Adds a trial from its five normalised differences (A − B)/range.</summary>
    public void Add(ReadOnlySpan<double> normalisedDifferences, bool choseA)
    {
        if (normalisedDifferences.Length != Attributes)
            throw new ArgumentException($"expected {Attributes} differences", nameof(normalisedDifferences));
        double s = choseA ? 1 : -1;
        _rows.Add(s);
        foreach (var d in normalisedDifferences) _rows.Add(s * d);
        _choseA.Add(choseA);
        if (choseA) ChoseACount++;
    }

    /// <summary>The normalised difference of attribute i in trial t (unsigned).</summary>
    public double Difference(int trial, int attribute)
    {
        double s = _choseA[trial] ? 1 : -1;
        return s * _rows[trial * Parameters + 1 + attribute];
    }

    public bool ChoseA(int trial) => _choseA[trial];
}
