using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace SelfInterp.Engine.Tokenization;

/// <summary>
/// A word-level tokenizer with a byte-level fallback, so that any well-formed string encodes and
/// decodes back exactly. Ids are laid out as: special tokens (0 .. S-1), the 256 byte tokens
/// (S .. S+255, byte b at S+b), then the vocabulary pieces in file order. Text is split into
/// pieces by <see cref="PreTokenizer"/>; a piece in the vocabulary is one token, a single ASCII
/// character is its byte token, and any other piece is covered greedily by the longest vocabulary
/// pieces it starts with, and by the UTF-8 bytes of code points no piece covers.
/// Instances are immutable and safe to use from many threads.
/// </summary>
public sealed class Tokenizer
{
    /// <summary>Number of byte tokens, one per byte value.</summary>
    public const int ByteTokenCount = 256;

    /// <summary>Upper bound on the tokens of any text: a UTF-16 char is at most 3 UTF-8 bytes.</summary>
    public static int MaxTokenCount(int textLength) => checked(3 * textLength);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string[] _specialTokens;
    private readonly string[] _pieces;
    private readonly Dictionary<string, int> _pieceIds;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _pieceLookup;
    private readonly Dictionary<string, int> _specialIds;
    private readonly byte[][] _tokenBytes;
    /// <summary>Distinct lengths (in chars) of the vocabulary pieces, longest first: the only lengths worth looking up.</summary>
    private readonly int[] _pieceLengths;

    /// <summary>
    /// Builds a tokenizer from its special tokens (which must begin with <see cref="SpecialTokens.Standard"/>)
    /// and its vocabulary pieces, each a single pre-tokenizer piece longer than one ASCII character.
    /// </summary>
    public Tokenizer(IReadOnlyList<string> specialTokens, IReadOnlyList<string> pieces)
    {
        if (VocabularyCheck.FindProblem(specialTokens, pieces) is { } problem)
            throw new ArgumentException($"{problem.Field}: {problem.Message}");

        _specialTokens = [.. specialTokens];
        _pieces = [.. pieces];
        _specialIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _specialTokens.Length; i++)
            _specialIds.Add(_specialTokens[i], i);
        _pieceIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _pieces.Length; i++)
            _pieceIds.Add(_pieces[i], FirstPieceId + i);
        _pieceLookup = _pieceIds.GetAlternateLookup<ReadOnlySpan<char>>();
        _pieceLengths = [.. _pieces.Select(p => p.Length).Distinct().OrderDescending()];

        _tokenBytes = new byte[VocabSize][];
        for (int i = 0; i < _specialTokens.Length; i++)
            _tokenBytes[i] = Encoding.UTF8.GetBytes(_specialTokens[i]);
        for (int b = 0; b < ByteTokenCount; b++)
            _tokenBytes[FirstByteId + b] = [(byte)b];
        for (int i = 0; i < _pieces.Length; i++)
            _tokenBytes[FirstPieceId + i] = Encoding.UTF8.GetBytes(_pieces[i]);

        PadId = _specialIds[SpecialTokens.Pad];
        BosId = _specialIds[SpecialTokens.Bos];
        EosId = _specialIds[SpecialTokens.Eos];
        SystemId = _specialIds[SpecialTokens.System];
        UserId = _specialIds[SpecialTokens.User];
        AssistantId = _specialIds[SpecialTokens.Assistant];
        EndId = _specialIds[SpecialTokens.End];
    }

    /// <summary>Reads a tokenizer written by <see cref="Save"/>; throws <see cref="TokenizerFileException"/> on a bad file.</summary>
    public static Tokenizer Load(string path) => TokenizerFile.Read(path);

    /// <summary>Writes this tokenizer as one JSON file (atomically: temporary file, then rename).</summary>
    public void Save(string path) => TokenizerFile.Write(this, path);

    public int VocabSize => _specialTokens.Length + ByteTokenCount + _pieces.Length;
    public int FirstByteId => _specialTokens.Length;
    public int FirstPieceId => _specialTokens.Length + ByteTokenCount;

    public int PadId { get; }
    public int BosId { get; }
    public int EosId { get; }
    public int SystemId { get; }
    public int UserId { get; }
    public int AssistantId { get; }
    public int EndId { get; }

    /// <summary>Special token texts in id order (ids 0 .. count-1).</summary>
    public IReadOnlyList<string> SpecialTokenTexts => _specialTokens;

    /// <summary>Vocabulary pieces in id order (ids <see cref="FirstPieceId"/> onwards).</summary>
    public IReadOnlyList<string> Pieces => _pieces;

    public bool IsSpecial(int id) => (uint)id < (uint)_specialTokens.Length;

    /// <summary>
    /// The id of a plain-text piece that is one token: a vocabulary piece or a single ASCII
    /// character (its byte token). Special tokens are not found here; see <see cref="TryGetSpecialId"/>.
    /// </summary>
    public bool TryGetId(string piece, out int id)
    {
        if (piece.Length == 1 && piece[0] < 128)
        {
            id = FirstByteId + piece[0];
            return true;
        }
        return _pieceIds.TryGetValue(piece, out id);
    }

    public bool TryGetSpecialId(string specialToken, out int id) => _specialIds.TryGetValue(specialToken, out id);

    /// <summary>
    /// The text of a token. A byte token below 0x80 is its ASCII character; a byte token from
    /// 0x80 up, which is no text on its own, is shown as <c>&lt;0xHH&gt;</c>.
    /// </summary>
    public string TokenText(int id)
    {
        CheckId(id, nameof(id));
        if (IsSpecial(id))
            return _specialTokens[id];
        if (id < FirstPieceId)
        {
            int b = id - FirstByteId;
            return b < 128 ? ((char)b).ToString() : $"<0x{b:X2}>";
        }
        return _pieces[id - FirstPieceId];
    }

    /// <summary>Encodes plain text; the texts of special tokens in it are encoded as ordinary characters.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int[] buffer = ArrayPool<int>.Shared.Rent(MaxTokenCount(text.Length));
        try
        {
            int count = EncodePlain(text, buffer);
            return buffer.AsSpan(0, count).ToArray();
        }
        finally
        {
            ArrayPool<int>.Shared.Return(buffer);
        }
    }

    /// <summary>Appends the tokens of plain text to <paramref name="destination"/> (no allocation once it has room).</summary>
    public void Encode(ReadOnlySpan<char> text, List<int> destination)
    {
        int start = destination.Count;
        CollectionsMarshal.SetCount(destination, start + MaxTokenCount(text.Length));
        int count = 0;
        try
        {
            count = EncodePlain(text, CollectionsMarshal.AsSpan(destination)[start..]);
        }
        finally
        {
            // On an error (unpaired surrogate) the list is left as it was given.
            CollectionsMarshal.SetCount(destination, start + count);
        }
    }

    /// <summary>
    /// Encodes text in which the exact texts of this tokenizer's special tokens (e.g. <c>&lt;|user|&gt;</c>)
    /// stand for those tokens; everything between them is encoded as plain text.
    /// </summary>
    public int[] EncodeWithSpecialTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(MaxTokenCount(text.Length));
        int position = 0;
        while (position < text.Length)
        {
            (int at, int special) = FindNextSpecial(text, position);
            Encode(text.AsSpan(position, at - position), ids);
            if (special < 0)
                break;
            ids.Add(special);
            position = at + _specialTokens[special].Length;
        }
        return ids.ToArray();
    }

    /// <summary>The text of the tokens. Special tokens become their texts; stray partial UTF-8 becomes U+FFFD.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        int byteCount = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            CheckId(ids[i], $"ids[{i}]");
            byteCount += _tokenBytes[ids[i]].Length;
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent(byteCount);
        try
        {
            int offset = 0;
            foreach (int id in ids)
            {
                byte[] bytes = _tokenBytes[id];
                bytes.CopyTo(buffer, offset);
                offset += bytes.Length;
            }
            return Encoding.UTF8.GetString(buffer, 0, byteCount);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int EncodePlain(ReadOnlySpan<char> text, Span<int> destination)
    {
        int count = 0;
        while (!text.IsEmpty)
        {
            int length = PreTokenizer.NextPieceLength(text);
            count += EncodePiece(text[..length], destination[count..]);
            text = text[length..];
        }
        return count;
    }

    private int EncodePiece(ReadOnlySpan<char> piece, Span<int> destination)
    {
        if (piece.Length == 1 && piece[0] < 128)
        {
            destination[0] = FirstByteId + piece[0];
            return 1;
        }
        if (_pieceLookup.TryGetValue(piece, out int id))
        {
            destination[0] = id;
            return 1;
        }
        return EncodeUnknownPiece(piece, destination);
    }

    /// <summary>Greedy longest match of vocabulary pieces, bytes for code points that no piece starts.</summary>
    private int EncodeUnknownPiece(ReadOnlySpan<char> piece, Span<int> destination)
    {
        int count = 0;
        int position = 0;
        while (position < piece.Length)
        {
            int matched = 0;
            foreach (int length in _pieceLengths)
            {
                if (length <= piece.Length - position && _pieceLookup.TryGetValue(piece.Slice(position, length), out int id))
                {
                    destination[count++] = id;
                    matched = length;
                    break;
                }
            }
            if (matched == 0)
            {
                matched = char.IsHighSurrogate(piece[position]) && position + 1 < piece.Length
                          && char.IsLowSurrogate(piece[position + 1]) ? 2 : 1;
                count += EncodeBytes(piece.Slice(position, matched), destination[count..]);
            }
            position += matched;
        }
        return count;
    }

    private int EncodeBytes(ReadOnlySpan<char> codePoint, Span<int> destination)
    {
        Span<byte> bytes = stackalloc byte[4];
        int byteCount;
        try
        {
            byteCount = StrictUtf8.GetBytes(codePoint, bytes);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException(
                $"text contains an unpaired surrogate (U+{(int)codePoint[0]:X4}); only well-formed UTF-16 can round-trip");
        }
        for (int i = 0; i < byteCount; i++)
            destination[i] = FirstByteId + bytes[i];
        return byteCount;
    }

    /// <summary>Earliest occurrence of any special token at or after <paramref name="start"/>; the longest wins a tie.</summary>
    private (int At, int Special) FindNextSpecial(string text, int start)
    {
        int bestAt = text.Length, bestSpecial = -1;
        for (int special = 0; special < _specialTokens.Length; special++)
        {
            int at = text.IndexOf(_specialTokens[special], start, StringComparison.Ordinal);
            if (at < 0 || at > bestAt)
                continue;
            if (at < bestAt || _specialTokens[special].Length > _specialTokens[bestSpecial].Length)
                (bestAt, bestSpecial) = (at, special);
        }
        return (bestAt, bestSpecial);
    }

    private void CheckId(int id, string name)
    {
        if ((uint)id >= (uint)VocabSize)
            throw new ArgumentOutOfRangeException(name, id, $"token id must be in [0, {VocabSize})");
    }
}
