"""The statistics the research scripts share, with the pretraining seed as the unit: a mean, a sample sd and Student's
t 95% interval over per-seed figures (df above 20 use df 20's quantile, a little wide)."""

T975 = [None, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086]


def mean(xs): return sum(xs) / len(xs)


def sd(xs):
    m = mean(xs)
    return (sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) ** 0.5


def interval(xs):
    """Student's t 95% interval of the mean of xs (at least two)."""
    half = T975[min(len(xs) - 1, len(T975) - 1)] * sd(xs) / len(xs) ** 0.5
    return mean(xs) - half, mean(xs) + half
