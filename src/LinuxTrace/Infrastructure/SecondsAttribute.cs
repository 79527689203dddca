using System.Globalization;
using System.Management.Automation;

namespace LinuxTrace.Commands;

/// <summary>
/// A time parameter takes seconds as a number (5, 0.5, 2233.6: what the event table shows) as well as a TimeSpan or
/// its text ('00:00:05'). Without it PowerShell turns the number 5 into 5 ticks (500 ns).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecondsAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject ps ? ps.BaseObject : inputData;
        return value switch
        {
            int or long or short or byte or uint or ulong or ushort or sbyte => TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            double d => FromSeconds(d),
            float f => FromSeconds(f),
            decimal m => FromSeconds((double)m),
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => FromSeconds(d),
            _ => inputData,
        };
    }

    private static TimeSpan FromSeconds(double seconds)
    {
        if (double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds) > TimeSpan.MaxValue.TotalSeconds)
            throw new ArgumentTransformationMetadataException($"{seconds} is not a number of seconds a TimeSpan can hold.");
        // exact to the tick (100 ns): 2233.6 is 22336000000 ticks, not 2233.59999... seconds
        return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
    }
}
