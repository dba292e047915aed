using System.Numerics;
using SelfInterp.Engine.Transformer;

namespace SelfInterp.Engine.Tests.Reference;

/// <summary>Plain-loop versions of every kernel, generic over the float type so that tests can check their
/// backward passes against finite differences in double precision, and the fast float kernels against them.</summary>
public static class ReferenceKernels
{
    /// <summary>y[n,o] = Σ_i x[n,i]·w[o,i] (a linear layer without bias, weight stored [out, in]).</summary>
    public static void LinearForward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, int n, int inDim, int outDim, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < n; r++)
            for (int o = 0; o < outDim; o++)
            {
                T s = T.Zero;
                for (int i = 0; i < inDim; i++) s += x[r * inDim + i] * w[o * inDim + i];
                y[r * outDim + o] = s;
            }
    }

    /// <summary>dx = dy·w (overwrites), dw += dyᵀ·x.</summary>
    public static void LinearBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> w, int n, int inDim, int outDim,
        Span<T> dx, Span<T> dw) where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < n; r++)
            for (int i = 0; i < inDim; i++)
            {
                T s = T.Zero;
                for (int o = 0; o < outDim; o++) s += dy[r * outDim + o] * w[o * inDim + i];
                dx[r * inDim + i] = s;
            }
        for (int o = 0; o < outDim; o++)
            for (int i = 0; i < inDim; i++)
            {
                T s = T.Zero;
                for (int r = 0; r < n; r++) s += dy[r * outDim + o] * x[r * inDim + i];
                dw[o * inDim + i] += s;
            }
    }

    public static void RmsNormForward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, int n, int dim, T eps, Span<T> y, Span<T> rstd)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < n; r++)
        {
            T ss = T.Zero;
            for (int j = 0; j < dim; j++) ss += x[r * dim + j] * x[r * dim + j];
            T rs = T.One / T.Sqrt(ss / T.CreateChecked(dim) + eps);
            rstd[r] = rs;
            for (int j = 0; j < dim; j++) y[r * dim + j] = x[r * dim + j] * rs * w[j];
        }
    }

    /// <summary>dx += ∂L/∂x, dw += ∂L/∂w, derived element by element from y_j = x_j·w_j·(mean x² + eps)^(−1/2).</summary>
    public static void RmsNormBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> rstd,
        int n, int dim, Span<T> dx, Span<T> dw) where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < n; r++)
        {
            T rs = rstd[r];
            for (int k = 0; k < dim; k++)
            {
                // ∂y_j/∂x_k = w_j·(δ_jk·rs − x_j·x_k·rs³/dim)
                T s = T.Zero;
                for (int j = 0; j < dim; j++)
                {
                    T jac = w[j] * ((j == k ? rs : T.Zero) - x[r * dim + j] * x[r * dim + k] * rs * rs * rs / T.CreateChecked(dim));
                    s += dy[r * dim + j] * jac;
                }
                dx[r * dim + k] += s;
                dw[k] += dy[r * dim + k] * x[r * dim + k] * rs;
            }
        }
    }

    /// <summary>Rotate-half RoPE on heads [0, heads) of each row; inverse rotates by the negative angle.</summary>
    public static void Rope<T>(Span<T> rows, int rowStride, ReadOnlySpan<int> positions, int n, int heads, int headDim, double theta, bool inverse)
        where T : IFloatingPointIeee754<T>
    {
        int half = headDim / 2;
        for (int r = 0; r < n; r++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < half; i++)
                {
                    double angle = positions[r] * Math.Pow(theta, -2.0 * i / headDim);
                    T c = T.CreateChecked(Math.Cos(angle)), s = T.CreateChecked(inverse ? -Math.Sin(angle) : Math.Sin(angle));
                    int a = r * rowStride + h * headDim + i, b = a + half;
                    T va = rows[a], vb = rows[b];
                    rows[a] = va * c - vb * s;
                    rows[b] = vb * c + va * s;
                }
    }

    /// <summary>Causal attention with grouped KV heads over right-padded sequences (see <see cref="Attention"/>).</summary>
    public static void AttentionForward<T>(ReadOnlySpan<T> qkv, ReadOnlySpan<int> lengths, int batch, int t, int heads, int kvHeads, int headDim,
        Span<T> output, Span<T> probs) where T : IFloatingPointIeee754<T>
    {
        int qkvDim = (heads + 2 * kvHeads) * headDim, oDim = heads * headDim;
        T scale = T.One / T.Sqrt(T.CreateChecked(headDim));
        output.Clear();
        probs.Clear();
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
            {
                int g = h / (heads / kvHeads);
                for (int i = 0; i < lengths[b]; i++)
                {
                    int pRow = ((b * heads + h) * t + i) * t;
                    T max = T.NegativeInfinity;
                    for (int j = 0; j <= i; j++)
                    {
                        T s = T.Zero;
                        for (int d = 0; d < headDim; d++)
                            s += qkv[(b * t + i) * qkvDim + h * headDim + d] * qkv[(b * t + j) * qkvDim + oDim + g * headDim + d];
                        probs[pRow + j] = s * scale;
                        max = T.Max(max, s * scale);
                    }
                    T sum = T.Zero;
                    for (int j = 0; j <= i; j++) { probs[pRow + j] = T.Exp(probs[pRow + j] - max); sum += probs[pRow + j]; }
                    for (int j = 0; j <= i; j++) probs[pRow + j] /= sum;
                    for (int d = 0; d < headDim; d++)
                    {
                        T o = T.Zero;
                        for (int j = 0; j <= i; j++)
                            o += probs[pRow + j] * qkv[(b * t + j) * qkvDim + oDim + kvHeads * headDim + g * headDim + d];
                        output[(b * t + i) * oDim + h * headDim + d] = o;
                    }
                }
            }
    }

    /// <summary>dqkv (overwritten) from doutput and the forward's probabilities.</summary>
    public static void AttentionBackward<T>(ReadOnlySpan<T> doutput, ReadOnlySpan<T> qkv, ReadOnlySpan<T> probs, ReadOnlySpan<int> lengths,
        int batch, int t, int heads, int kvHeads, int headDim, Span<T> dqkv) where T : IFloatingPointIeee754<T>
    {
        int qkvDim = (heads + 2 * kvHeads) * headDim, oDim = heads * headDim;
        T scale = T.One / T.Sqrt(T.CreateChecked(headDim));
        dqkv.Clear();
        var dp = new T[t];
        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
            {
                int g = h / (heads / kvHeads);
                int kOff = oDim + g * headDim, vOff = oDim + kvHeads * headDim + g * headDim;
                for (int i = 0; i < lengths[b]; i++)
                {
                    int pRow = ((b * heads + h) * t + i) * t;
                    T sum = T.Zero;
                    for (int j = 0; j <= i; j++)
                    {
                        T s = T.Zero;
                        for (int d = 0; d < headDim; d++)
                        {
                            T dy = doutput[(b * t + i) * oDim + h * headDim + d];
                            s += dy * qkv[(b * t + j) * qkvDim + vOff + d];
                            dqkv[(b * t + j) * qkvDim + vOff + d] += probs[pRow + j] * dy;
                        }
                        dp[j] = s;
                        sum += s * probs[pRow + j];
                    }
                    for (int j = 0; j <= i; j++)
                    {
                        T ds = probs[pRow + j] * (dp[j] - sum) * scale;
                        for (int d = 0; d < headDim; d++)
                        {
                            dqkv[(b * t + i) * qkvDim + h * headDim + d] += ds * qkv[(b * t + j) * qkvDim + kOff + d];
                            dqkv[(b * t + j) * qkvDim + kOff + d] += ds * qkv[(b * t + i) * qkvDim + h * headDim + d];
                        }
                    }
                }
            }
    }

    public static void SwiGluForward<T>(ReadOnlySpan<T> gateUp, int n, int hidden, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < n; r++)
            for (int j = 0; j < hidden; j++)
            {
                T g = gateUp[r * 2 * hidden + j], u = gateUp[r * 2 * hidden + hidden + j];
                y[r * hidden + j] = g / (T.One + T.Exp(-g)) * u;
            }
    }

    public static void SwiGluBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> gateUp, int n, int hidden, Span<T> dgateUp)
        where T : IFloatingPointIeee754<T>
    {
        for (int r = 0; r < n; r++)
            for (int j = 0; j < hidden; j++)
            {
                T g = gateUp[r * 2 * hidden + j], u = gateUp[r * 2 * hidden + hidden + j];
                T sig = T.One / (T.One + T.Exp(-g));
                dgateUp[r * 2 * hidden + j] = dy[r * hidden + j] * u * (sig + g * sig * (T.One - sig));
                dgateUp[r * 2 * hidden + hidden + j] = dy[r * hidden + j] * g * sig;
            }
    }

    /// <summary>Mean cross-entropy over rows; returns the loss and writes dlogits of that mean. A target
    /// <see cref="Batch.AnyOf"/>(k) is the set sets[k]: loss −log Σ_{v∈set} softmax_v.</summary>
    public static T CrossEntropy<T>(ReadOnlySpan<T> logits, ReadOnlySpan<int> targets, int m, int vocab, Span<T> dlogits, IReadOnlyList<int[]>? sets = null)
        where T : IFloatingPointIeee754<T>
    {
        T total = T.Zero, count = T.CreateChecked(m);
        for (int r = 0; r < m; r++)
        {
            var set = Batch.SetOf(targets[r]) < 0 ? [targets[r]] : sets![Batch.SetOf(targets[r])];
            T max = T.NegativeInfinity;
            for (int v = 0; v < vocab; v++) max = T.Max(max, logits[r * vocab + v]);
            T sum = T.Zero, inSet = T.Zero;
            for (int v = 0; v < vocab; v++) sum += T.Exp(logits[r * vocab + v] - max);
            foreach (int v in set) inSet += T.Exp(logits[r * vocab + v] - max);
            total += T.Log(sum) - T.Log(inSet);
            for (int v = 0; v < vocab; v++)
            {
                T p = T.Exp(logits[r * vocab + v] - max);
                dlogits[r * vocab + v] = (p / sum - (set.Contains(v) ? p / inSet : T.Zero)) / count;
            }
        }
        return total / count;
    }
}
