using SelfInterp.Core.Backends;
using SelfInterp.Core.Runs;
using SelfInterp.Engine.HuggingFace;
using SelfInterp.Engine.Decoding;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Backends.HuggingFace;

/// <summary>
/// A Hugging Face Llama or Qwen2 model (and the models of an external run: the same base with a PEFT adapter) run by
/// the engine, as the local backend does with `--base-model hf:DIR[+adapter:DIR]`. Prompts go through the family's
/// chat format as the model was trained on them; a choice is P(A) against P(B) of the reply's first token, a reply
/// greedy decoding to the format's end-of-turn token. Fine-tuning a real model is left to the external route (TRL +
/// PEFT): the run stops naming what to train, and the adapters are registered as hf:BASE+adapter:DIR model ids.
/// One model is held at a time (a 0.5B model takes 2 GB as floats).
/// </summary>
public sealed class HfBackend(string baseModel, int threads, int? contextLength = null) : IModelBackend
{
    public string Name => "local";
    public IReadOnlyDictionary<string, string>? Compute => Engine.Provenance.EngineProvenance.Default(threads).ToDictionary();
    public IReadOnlyCollection<Type>? ServedTasks => null;
    public string BaseModel => baseModel;

    (string Id, HfModel Model)? _loaded;
    readonly Lock _lock = new();

    public Task<string> FineTuneAsync(FineTuneRequest request, IProgress<double>? progress, CancellationToken ct) =>
        throw new FineTuneElsewhereException(
            $"fine-tune {request.Name} elsewhere: the engine does not fine-tune Hugging Face models; train a LoRA adapter with TRL + PEFT " +
            $"(docs/real-models.md) and register it as hf:BASE+adapter:ADAPTER_DIR with `selfinterp models set`",
            [PendingFineTune.Of(request, request.BaseModel)]);

    public Task<IReadOnlyList<Choice>> ChooseAsync(string model, IReadOnlyList<ChatPrompt> prompts, IProgress<int>? progress, CancellationToken ct) =>
        Task.Run<IReadOnlyList<Choice>>(() =>
        {
            var hf = Load(model);
            var inference = new Inference(hf.Model);
            int a = FirstToken(hf, "A"), b = FirstToken(hf, "B");
            var encoded = prompts.Select(p => Encode(hf, p)).ToList();
            // The prompts' common start (the chat format's header and the system message) runs once into a shared
            // cache; the rest in batches on top of it (each row's sums are its own, so no score depends on the batch).
            int shared = encoded.Count == 0 ? 0 : encoded.Min(e => e.Length) - 1;
            foreach (var e in encoded) shared = Math.Min(shared, e.AsSpan().CommonPrefixLength(encoded[0]));
            ct.ThrowIfCancellationRequested();
            var scores = inference.ScoreWithSharedPrefix(encoded.Count == 0 ? [] : encoded[0].AsSpan(0, shared), encoded.Select(e => e[shared..]).ToList(), [a, b]);
            var choices = scores.Select(lp =>
            {
                double pA = 1 / (1 + Numerics.DeterministicMath.Exp(lp[1] - lp[0]));
                char c = lp[0] >= lp[1] ? 'A' : 'B';
                return new Choice(c, pA, c.ToString());
            }).ToList();
            progress?.Report(prompts.Count);
            return choices;
        }, ct);

    public Task<IReadOnlyList<string>> CompleteAsync(string model, IReadOnlyList<ChatPrompt> prompts, int maxTokens, IProgress<int>? progress, CancellationToken ct) =>
        Task.Run<IReadOnlyList<string>>(() =>
        {
            var hf = Load(model);
            var inference = new Inference(hf.Model);
            var replies = new List<string>(prompts.Count);
            for (int start = 0; start < prompts.Count; start += inference.MaxBatch)
            {
                ct.ThrowIfCancellationRequested();
                var group = prompts.Skip(start).Take(inference.MaxBatch).Select(p => Encode(hf, p)).ToList();
                var generated = inference.GenerateBatch(group, maxTokens, hf.Chat.StopTokens.ToList());
                replies.AddRange(generated.Select(g => hf.Tokenizer.Decode(g.Where(t => !hf.Chat.StopTokens.Contains(t)))));
                progress?.Report(group.Count);
            }
            return replies;
        }, ct);

    static int[] Encode(HfModel hf, ChatPrompt prompt) =>
        hf.Chat.Encode(prompt.Messages.Select(m => new Engine.HuggingFace.ChatMessage(m.Role, m.Content)).ToList(), addGenerationPrompt: true);

    /// <summary>The token a reply starting with the letter begins with.</summary>
    static int FirstToken(HfModel hf, string letter) => hf.Tokenizer.Encode(letter) is [var t, ..] ? t
        : throw new InvalidOperationException($"the tokenizer gives no token for '{letter}'");

    /// <summary>The model of an id (the base, or any hf:BASE+adapter:DIR a user registered), loaded once while it is the current one.</summary>
    public HfModel Load(string id)
    {
        lock (_lock)
        {
            if (_loaded is { } l && l.Id == id) return l.Model;
            if (!HfModelSpec.Is(id))
                throw new UsageException($"local backend with a Hugging Face base model: model '{id}' is not hf:DIR or hf:DIR+adapter:DIR");
            _loaded = null; // let the previous model's 2 GB go before the next is read
            HfModel model;
            try { model = HfModel.Load(HfModelSpec.Parse(id), contextLength, new ModelOptions { Threads = threads }); }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
            {
                throw new UsageException($"model '{id}': {e.Message}");
            }
            _loaded = (id, model);
            return model;
        }
    }
}
