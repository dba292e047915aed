using SelfInterp.Engine.HookPoints;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Tests;

/// <summary>An independent, plain-loop forward of one sequence in double precision, written from the model's
/// definition (not from the engine's code), with a callback on the residual stream at every hook point.</summary>
public static class NaiveDecoder
{
    /// <summary>Logits [T, vocab]. edit(point, position, row) may change the residual row in place.</summary>
    public static double[][] Logits(Model model, int[] tokens, Action<HookPoint, int, double[]>? edit = null)
    {
        var c = model.Config;
        int T = tokens.Length, d = c.Dim, hd = c.HeadDim, H = c.NHeads, KV = c.NKvHeads;
        double W(string name, int i) => model.Tensor(name)[i];
        var x = new double[T][];
        for (int t = 0; t < T; t++)
        {
            x[t] = new double[d];
            for (int j = 0; j < d; j++)
                x[t][j] = W("tok_embeddings.weight", tokens[t] * d + j) + (c.LearnedPositions ? W("pos_embeddings.weight", t * d + j) : 0);
        }
        void Edit(HookPoint p) { if (edit is not null) for (int t = 0; t < T; t++) edit(p, t, x[t]); }
        Edit(HookPoint.Embed);
        for (int l = 0; l < c.NLayers; l++)
        {
            string p = $"layers.{l}.";
            Edit(HookPoint.ResidPre(l));
            var h = x.Select(r => Norm(r, model.Tensor(p + "attention_norm.weight"), c.NormEps)).ToArray();
            var q = h.Select(r => MatVec(model.Tensor(p + "attention.wq.weight"), r, H * hd)).ToArray();
            var k = h.Select(r => MatVec(model.Tensor(p + "attention.wk.weight"), r, KV * hd)).ToArray();
            var v = h.Select(r => MatVec(model.Tensor(p + "attention.wv.weight"), r, KV * hd)).ToArray();
            for (int t = 0; t < T; t++) { q[t] = RotateAt(q[t], t, hd, c.RopeTheta); k[t] = RotateAt(k[t], t, hd, c.RopeTheta); }
            for (int t = 0; t < T; t++)
            {
                var o = new double[H * hd];
                for (int head = 0; head < H; head++)
                {
                    int g = head / (H / KV);
                    var s = new double[t + 1];
                    for (int j = 0; j <= t; j++)
                    {
                        for (int i = 0; i < hd; i++) s[j] += q[t][head * hd + i] * k[j][g * hd + i];
                        s[j] /= Math.Sqrt(hd);
                    }
                    double max = s.Max(), sum = s.Sum(z => Math.Exp(z - max));
                    for (int j = 0; j <= t; j++)
                        for (int i = 0; i < hd; i++) o[head * hd + i] += Math.Exp(s[j] - max) / sum * v[j][g * hd + i];
                }
                var add = MatVec(model.Tensor(p + "attention.wo.weight"), o, d);
                for (int j = 0; j < d; j++) x[t][j] += add[j];
            }
            Edit(HookPoint.ResidMid(l));
            for (int t = 0; t < T; t++)
            {
                var n = Norm(x[t], model.Tensor(p + "ffn_norm.weight"), c.NormEps);
                var gate = MatVec(model.Tensor(p + "feed_forward.w1.weight"), n, c.MlpHidden);
                var up = MatVec(model.Tensor(p + "feed_forward.w3.weight"), n, c.MlpHidden);
                var act = gate.Select((z, i) => z / (1 + Math.Exp(-z)) * up[i]).ToArray();
                var add = MatVec(model.Tensor(p + "feed_forward.w2.weight"), act, d);
                for (int j = 0; j < d; j++) x[t][j] += add[j];
            }
            Edit(HookPoint.ResidPost(l));
        }
        string output = c.TiedEmbeddings ? "tok_embeddings.weight" : "output.weight";
        return x.Select(r => MatVec(model.Tensor(output), Norm(r, model.Tensor("norm.weight"), c.NormEps), c.VocabSize)).ToArray();
    }

    static double[] Norm(double[] x, Span<float> w, float eps)
    {
        double r = 1 / Math.Sqrt(x.Sum(z => z * z) / x.Length + eps);
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * r * w[i];
        return y;
    }

    static double[] MatVec(Span<float> w, double[] x, int rows)
    {
        var y = new double[rows];
        for (int r = 0; r < rows; r++)
            for (int i = 0; i < x.Length; i++) y[r] += w[r * x.Length + i] * x[i];
        return y;
    }

    /// <summary>Rotate-half rotary embedding of every head of x at position t.</summary>
    static double[] RotateAt(double[] x, int t, int hd, float theta)
    {
        var y = (double[])x.Clone();
        int half = hd / 2;
        for (int h0 = 0; h0 < x.Length; h0 += hd)
            for (int i = 0; i < half; i++)
            {
                double angle = t * Math.Pow(theta, -2.0 * i / hd), cos = Math.Cos(angle), sin = Math.Sin(angle);
                double a = x[h0 + i], b = x[h0 + i + half];
                y[h0 + i] = a * cos - b * sin;
                y[h0 + i + half] = b * cos + a * sin;
            }
        return y;
    }
}
