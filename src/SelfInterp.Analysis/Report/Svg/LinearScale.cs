namespace SelfInterp.Analysis.Report.Svg;

/// <summary>Maps a data interval onto a pixel interval (the pixel interval may run backwards, as y does).</summary>
public sealed record LinearScale(double DomainMin, double DomainMax, double RangeFrom, double RangeTo)
{
    public double Map(double value) =>
        RangeFrom + (value - DomainMin) / (DomainMax - DomainMin) * (RangeTo - RangeFrom);

    public bool Contains(double value) => value >= DomainMin && value <= DomainMax;
}
