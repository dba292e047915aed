using SelfInterp.Engine.Transformer;

namespace SelfInterp.Bench.Engine;

/// <summary>Floating-point operations of one training step (forward + backward) and the GEMM shapes it uses.</summary>
public static class FlopCount
{
    /// <summary>(m, n, k, transA, transB) of every GEMM in one forward + backward over n tokens.</summary>
    public static List<(int M, int N, int K, bool TA, bool TB)> TrainingGemms(ModelConfig c, int tokens, int targets)
    {
        var list = new List<(int, int, int, bool, bool)>();
        void Linear(int n, int inDim, int outDim)
        {
            list.Add((n, outDim, inDim, false, true));   // y = x·Wᵀ
            list.Add((n, inDim, outDim, false, false));  // dx = dy·W
            list.Add((outDim, inDim, n, true, false));   // dW = dyᵀ·x
        }
        for (int l = 0; l < c.NLayers; l++)
        {
            Linear(tokens, c.Dim, c.QkvDim);
            Linear(tokens, c.QDim, c.Dim);
            Linear(tokens, c.Dim, 2 * c.MlpHidden);
            Linear(tokens, c.MlpHidden, c.Dim);
        }
        Linear(targets, c.Dim, c.VocabSize);
        return list;
    }

    public static double Gemm(IEnumerable<(int M, int N, int K, bool TA, bool TB)> gemms) => gemms.Sum(g => 2.0 * g.M * g.N * g.K);

    /// <summary>Causal attention: QKᵀ and PV forward (2 products), four products backward, over the causal half.</summary>
    public static double Attention(ModelConfig c, int batch, int seqLen) =>
        6 * 2.0 * batch * c.NHeads * (seqLen * (seqLen + 1) / 2.0) * c.HeadDim * c.NLayers;
}
