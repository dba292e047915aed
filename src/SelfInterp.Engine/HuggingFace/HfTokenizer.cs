using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace SelfInterp.Engine.HuggingFace;

/// <summary>A Hugging Face tokenizer.json of the byte-level BPE kind (Llama 3, Qwen2): the text is normalised
/// (NFC where the file says so), split by the file's pre-tokenizer regex, and each piece encoded by
/// Microsoft.ML.Tokenizers' BPE over the file's vocabulary and merges (with ignore_merges, a piece that is itself
/// a token is taken whole). Added tokens (special or not) come from tokenizer.json and tokenizer_config.json.</summary>
public sealed class HfTokenizer
{
    public const string FileName = "tokenizer.json", ConfigFileName = "tokenizer_config.json";

    /// <summary>GPT-2's pre-tokenizer, what a ByteLevel pre-tokenizer with use_regex splits by.</summary>
    const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    readonly BpeTokenizer _bpe;
    readonly Regex _split;
    readonly bool _nfc, _ignoreMerges;
    readonly Dictionary<string, int> _vocab;
    readonly Dictionary<int, string> _tokenOf = new();
    readonly Dictionary<string, int> _added = new(StringComparer.Ordinal);
    readonly HashSet<int> _special = new();
    readonly Regex? _addedPattern;

    public int VocabSize { get; }
    public string? BosToken { get; }
    public string? EosToken { get; }
    /// <summary>The added tokens (special or not) by text, which <see cref="EncodeWithSpecialTokens"/> recognises.</summary>
    public IReadOnlyDictionary<string, int> AddedTokens => _added;
    public int? BosId => BosToken is not null && _added.TryGetValue(BosToken, out int id) ? id : null;
    public int? EosId => EosToken is not null && _added.TryGetValue(EosToken, out int id) ? id : null;
    public string PreTokenizerPattern => _split.ToString();

    HfTokenizer(Dictionary<string, int> vocab, IReadOnlyList<string> merges, Regex split, bool nfc, bool ignoreMerges,
        IEnumerable<(int Id, string Content, bool Special)> added, string? bos, string? eos)
    {
        _vocab = vocab;
        _split = split;
        _nfc = nfc;
        _ignoreMerges = ignoreMerges;
        foreach (var (token, id) in vocab) _tokenOf[id] = token;
        foreach (var (id, content, special) in added)
        {
            _added[content] = id;
            _tokenOf[id] = content;
            if (special) _special.Add(id);
        }
        _bpe = BpeTokenizer.Create(new BpeOptions(vocab) { Merges = merges, ByteLevel = true });
        if (_added.Count > 0)
            _addedPattern = new Regex(string.Join("|", _added.Keys.OrderByDescending(k => k.Length).Select(Regex.Escape)), RegexOptions.CultureInvariant);
        VocabSize = _tokenOf.Keys.Max() + 1;
        BosToken = bos;
        EosToken = eos;
    }

    public static HfTokenizer Load(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no tokenizer.json", path);
        using var doc = ParseJson(path);
        var root = doc.RootElement;
        var f = new HfConfig.Fields(root, path);
        var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.Object ? m : throw f.Error("model", "missing");
        var mf = new HfConfig.Fields(model, path, "model.");
        if (mf.String("type", "BPE") != "BPE") throw mf.Error("type", $"'{mf.String("type")}' is not supported (byte-level BPE)");
        if (!model.TryGetProperty("vocab", out var v) || v.ValueKind != JsonValueKind.Object) throw mf.Error("vocab", "missing or not an object");
        var vocab = v.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);
        if (!model.TryGetProperty("merges", out var mg) || mg.ValueKind != JsonValueKind.Array) throw mf.Error("merges", "missing or not a list");
        var merges = mg.EnumerateArray().Select((e, i) => e.ValueKind switch
        {
            JsonValueKind.String => e.GetString()!,
            JsonValueKind.Array when e.GetArrayLength() == 2 => $"{e[0].GetString()} {e[1].GetString()}",
            _ => throw mf.Error($"merges[{i}]", "must be \"a b\" or [\"a\", \"b\"]"),
        }).ToList();
        bool ignoreMerges = mf.Bool("ignore_merges", false);
        bool nfc = NormalizerIsNfc(root, f);
        var split = PreTokenizerRegex(root, f);

        var added = new List<(int, string, bool)>();
        if (root.TryGetProperty("added_tokens", out var at) && at.ValueKind == JsonValueKind.Array)
            foreach (var t in at.EnumerateArray())
                added.Add((t.GetProperty("id").GetInt32(), t.GetProperty("content").GetString()!, t.TryGetProperty("special", out var s) && s.GetBoolean()));

        string? bos = null, eos = null;
        string configPath = Path.Combine(directory, ConfigFileName);
        if (File.Exists(configPath))
        {
            using var cdoc = ParseJson(configPath);
            var c = cdoc.RootElement;
            bos = TokenText(c, "bos_token");
            eos = TokenText(c, "eos_token");
            if (c.TryGetProperty("added_tokens_decoder", out var atd) && atd.ValueKind == JsonValueKind.Object)
                foreach (var p in atd.EnumerateObject())
                {
                    if (!int.TryParse(p.Name, out int id)) throw new InvalidDataException($"{configPath}: field 'added_tokens_decoder.{p.Name}': key must be a token id");
                    string content = p.Value.GetProperty("content").GetString()!;
                    if (!added.Any(a => a.Item1 == id)) added.Add((id, content, p.Value.TryGetProperty("special", out var s) && s.GetBoolean()));
                }
        }
        return new HfTokenizer(vocab, merges, split, nfc, ignoreMerges, added, bos, eos);
    }

    static JsonDocument ParseJson(string path)
    {
        try { return JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: line {e.LineNumber + 1}: {e.Message}", e); }
    }

    static string? TokenText(JsonElement config, string field) =>
        !config.TryGetProperty(field, out var t) ? null
        : t.ValueKind == JsonValueKind.String ? t.GetString()
        : t.ValueKind == JsonValueKind.Object && t.TryGetProperty("content", out var c) ? c.GetString() : null;

    static bool NormalizerIsNfc(JsonElement root, HfConfig.Fields f)
    {
        if (!root.TryGetProperty("normalizer", out var n) || n.ValueKind == JsonValueKind.Null) return false;
        string type = n.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        return type == "NFC" ? true : throw f.Error("normalizer", $"'{type}' is not supported (none or NFC)");
    }

    /// <summary>The regex the pre-tokenizer splits by: a Split's pattern (Llama 3, Qwen2), or GPT-2's for a ByteLevel
    /// pre-tokenizer with use_regex.</summary>
    static Regex PreTokenizerRegex(JsonElement root, HfConfig.Fields f)
    {
        if (!root.TryGetProperty("pre_tokenizer", out var pt) || pt.ValueKind != JsonValueKind.Object) throw f.Error("pre_tokenizer", "missing");
        var steps = pt.GetProperty("type").GetString() == "Sequence" ? pt.GetProperty("pretokenizers").EnumerateArray().ToList() : [pt];
        string? pattern = null;
        foreach (var step in steps)
        {
            string type = step.GetProperty("type").GetString() ?? "";
            if (type == "Split")
            {
                if (pattern is not null) throw f.Error("pre_tokenizer", "more than one split is not supported");
                if (!step.TryGetProperty("pattern", out var p) || !p.TryGetProperty("Regex", out var r)) throw f.Error("pre_tokenizer.pattern", "must be a Regex");
                string behavior = step.TryGetProperty("behavior", out var b) ? b.GetString() ?? "" : "Isolated";
                if (behavior != "Isolated") throw f.Error("pre_tokenizer.behavior", $"'{behavior}' is not supported (Isolated)");
                pattern = r.GetString();
            }
            else if (type == "ByteLevel")
            {
                if (step.TryGetProperty("add_prefix_space", out var aps) && aps.GetBoolean()) throw f.Error("pre_tokenizer.add_prefix_space", "true is not supported");
                if (!step.TryGetProperty("use_regex", out var ur) || ur.GetBoolean())
                {
                    if (pattern is not null) throw f.Error("pre_tokenizer", "a split and a regex ByteLevel together are not supported");
                    pattern = Gpt2Pattern;
                }
            }
            else throw f.Error("pre_tokenizer.type", $"'{type}' is not supported (Split, ByteLevel)");
        }
        return new Regex(pattern ?? throw f.Error("pre_tokenizer", "no split pattern"), RegexOptions.CultureInvariant);
    }

    /// <summary>Token ids of plain text: added tokens written in it are text like any other.</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>();
        EncodeText(text, ids);
        return ids.ToArray();
    }

    void EncodeText(string text, List<int> ids)
    {
        if (text.Length == 0) return;
        if (_nfc) text = text.Normalize(NormalizationForm.FormC);
        foreach (Match piece in _split.Matches(text))
        {
            if (_ignoreMerges && _vocab.TryGetValue(ByteLevel.Encode(piece.Value), out int whole)) { ids.Add(whole); continue; }
            ids.AddRange(_bpe.EncodeToIds(piece.Value, considerPreTokenization: false, considerNormalization: false));
        }
    }

    /// <summary>Token ids of text in which added tokens (<c>&lt;|im_start|&gt;</c>…) stand for themselves, as a chat
    /// template's output is tokenized.</summary>
    public int[] EncodeWithSpecialTokens(string text)
    {
        var ids = new List<int>();
        int at = 0;
        if (_addedPattern is not null)
            foreach (Match m in _addedPattern.Matches(text))
            {
                EncodeText(text[at..m.Index], ids);
                ids.Add(_added[m.Value]);
                at = m.Index + m.Length;
            }
        EncodeText(text[at..], ids);
        return ids.ToArray();
    }

    public bool IsSpecial(int id) => _special.Contains(id);

    public bool TryGetAddedId(string content, out int id) => _added.TryGetValue(content, out id);

    /// <summary>The text of token ids; special tokens are left out unless asked for.</summary>
    public string Decode(IEnumerable<int> ids, bool includeSpecial = false)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if (!_tokenOf.TryGetValue(id, out var token)) throw new ArgumentException($"token id {id} is not in the vocabulary");
            if (_added.ContainsKey(token) && _added[token] == id)
            {
                Flush();
                if (includeSpecial || !_special.Contains(id)) text.Append(token);
            }
            else if (!ByteLevel.TryDecode(token, bytes)) { Flush(); text.Append(token); }
        }
        Flush();
        return text.ToString();

        void Flush()
        {
            text.Append(Encoding.UTF8.GetString(bytes.ToArray()));
            bytes.Clear();
        }
    }

    /// <summary>The token's text as the vocabulary writes it (byte-level characters for ordinary tokens).</summary>
    public string TokenText(int id) => _tokenOf.TryGetValue(id, out var t) ? t : throw new ArgumentException($"token id {id} is not in the vocabulary");
}
