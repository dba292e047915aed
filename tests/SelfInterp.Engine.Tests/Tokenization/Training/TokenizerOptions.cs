using SelfInterp.Engine.Tokenization;

namespace SelfInterp.Engine.Tests.Tokenization.Training;

/// <summary>How <see cref="Tokenizer.Train"/> builds a vocabulary.</summary>
public sealed record TokenizerOptions
{
    /// <summary>
    /// Total number of ids: special tokens + 256 byte tokens + forced pieces + learned pieces.
    /// Learned pieces fill whatever the others leave.
    /// </summary>
    public int MaxVocabSize { get; init; } = 1024;

    /// <summary>A piece is learned only if it occurs at least this many times in the corpus.</summary>
    public int MinCount { get; init; } = 2;

    /// <summary>
    /// Ids set aside, out of <see cref="MaxVocabSize"/>, for subword pieces learned by BPE merges over the
    /// words that did not make the word vocabulary (see <see cref="SubwordLearner"/>); they let unseen words
    /// encode in fewer tokens than bytes. 0 learns none. Ids the merges do not fill stay unused.
    /// </summary>
    public int SubwordPieces { get; init; }

    /// <summary>
    /// Pieces that get their own id whatever their count (e.g. every attribute name of a catalog).
    /// Each must be a single pre-tokenizer piece (see <see cref="PreTokenizer"/>); note that
    /// <c>"price"</c> and <c>" price"</c> are different pieces, so force both if both occur.
    /// Single ASCII characters are accepted and already are one token each.
    /// </summary>
    public IReadOnlyList<string> ForcedPieces { get; init; } = [];

    /// <summary>Special tokens added after the standard ones of <see cref="SpecialTokens"/>, in this order.</summary>
    public IReadOnlyList<string> ExtraSpecialTokens { get; init; } = [];
}
