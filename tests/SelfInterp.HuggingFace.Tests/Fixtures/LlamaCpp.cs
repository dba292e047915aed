using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;

namespace SelfInterp.HuggingFace.Tests.Fixtures;

/// <summary>llama.cpp through LLamaSharp, as the independent implementation the tests compare with: F32 KV cache,
/// no flash attention, CPU only, logits of every position.</summary>
public sealed class LlamaCpp : IDisposable
{
    readonly LLamaWeights _weights;
    readonly LLamaContext _context;
    public int VocabSize { get; }

    public LlamaCpp(string ggufPath, int threads = 1, uint contextSize = 128)
    {
        var p = new ModelParams(ggufPath)
        {
            ContextSize = contextSize, BatchSize = contextSize, UBatchSize = contextSize, Threads = threads, BatchThreads = threads,
            GpuLayerCount = 0, TypeK = GGMLType.GGML_TYPE_F32, TypeV = GGMLType.GGML_TYPE_F32, FlashAttention = false,
        };
        _weights = LLamaWeights.LoadFromFile(p);
        _context = _weights.CreateContext(p);
        VocabSize = _weights.Vocab.Count;
    }

    /// <summary>Logits of every position of one sequence, from a fresh cache.</summary>
    public float[][] Logits(IReadOnlyList<int> tokens)
    {
        _context.NativeHandle.MemoryClear();
        var batch = new LLamaBatch();
        for (int i = 0; i < tokens.Count; i++) batch.Add((LLamaToken)tokens[i], i, (LLamaSeqId)0, true);
        var result = _context.NativeHandle.Decode(batch);
        if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama_decode: {result}");
        return Enumerable.Range(0, tokens.Count).Select(i => _context.NativeHandle.GetLogitsIth(i).ToArray()).ToArray();
    }

    public int[] Tokenize(string text, bool special) =>
        _context.Tokenize(text, addBos: false, special: special).Select(t => (int)t).ToArray();

    /// <summary>llama.cpp's built-in chat template of that name ("chatml", "llama3") applied to the messages.</summary>
    public static string ApplyTemplate(string name, IEnumerable<(string Role, string Content)> messages, bool addAssistant)
    {
        var template = new LLamaTemplate(name) { AddAssistant = addAssistant };
        foreach (var (role, content) in messages) template.Add(role, content);
        return Encoding.UTF8.GetString(template.Apply());
    }

    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
    }
}
