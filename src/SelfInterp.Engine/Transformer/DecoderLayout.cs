namespace SelfInterp.Engine.Transformer;

/// <summary>Offsets of one decoder layer's tensors in the parameter block.</summary>
/// <remarks>wq|wk|wv are adjacent so they act as one fused [QkvDim, Dim] matrix; w1|w3 (gate|up) likewise
/// form one [2*MlpHidden, Dim] matrix. One GEMM each instead of three and two. Bqkv is the fused q|k|v bias
/// [QkvDim] (wq.bias|wk.bias|wv.bias, adjacent), or -1 for a model without biases.</remarks>
public readonly record struct LayerOffsets(long AttnNorm, long Wqkv, long Wo, long MlpNorm, long W13, long W2, long Bqkv = -1);

/// <summary>The named parameter layout of a Llama-style decoder (names follow Meta's llama checkpoints).</summary>
public sealed class DecoderLayout
{
    public ModelConfig Config { get; }
    public ParameterLayout Layout { get; } = new();
    public long Embedding { get; }
    /// <summary>Offset of the learned position table [MaxSeqLen, Dim], or -1 without learned positions.</summary>
    public long Positions { get; } = -1;
    public LayerOffsets[] Layers { get; }
    public long FinalNorm { get; }
    /// <summary>Offset of the output head; equals <see cref="Embedding"/> when embeddings are tied.</summary>
    public long Output { get; }

    public DecoderLayout(ModelConfig c)
    {
        c.Validate();
        Config = c;
        Embedding = Layout.Add("tok_embeddings.weight", c.VocabSize, c.Dim);
        if (c.LearnedPositions) Positions = Layout.Add("pos_embeddings.weight", c.MaxSeqLen, c.Dim);
        Layers = new LayerOffsets[c.NLayers];
        for (int l = 0; l < c.NLayers; l++)
        {
            string p = $"layers.{l}.";
            long attnNorm = Layout.Add(p + "attention_norm.weight", c.Dim);
            long wq = Layout.Add(p + "attention.wq.weight", c.QDim, c.Dim);
            Layout.Add(p + "attention.wk.weight", c.KvDim, c.Dim);
            Layout.Add(p + "attention.wv.weight", c.KvDim, c.Dim);
            long bqkv = -1;
            if (c.QkvBias)
            {
                bqkv = Layout.Add(p + "attention.wq.bias", c.QDim);
                Layout.Add(p + "attention.wk.bias", c.KvDim);
                Layout.Add(p + "attention.wv.bias", c.KvDim);
            }
            long wo = Layout.Add(p + "attention.wo.weight", c.Dim, c.QDim);
            long mlpNorm = Layout.Add(p + "ffn_norm.weight", c.Dim);
            long w1 = Layout.Add(p + "feed_forward.w1.weight", c.MlpHidden, c.Dim);
            Layout.Add(p + "feed_forward.w3.weight", c.MlpHidden, c.Dim);
            long w2 = Layout.Add(p + "feed_forward.w2.weight", c.Dim, c.MlpHidden);
            Layers[l] = new LayerOffsets(attnNorm, wq, wo, mlpNorm, w1, w2, bqkv);
        }
        FinalNorm = Layout.Add("norm.weight", c.Dim);
        Output = c.TiedEmbeddings ? Embedding : Layout.Add("output.weight", c.VocabSize, c.Dim);
    }
}
