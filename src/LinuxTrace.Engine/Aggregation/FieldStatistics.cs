namespace LinuxTrace.Engine.Aggregation;

/// <summary>The statistics of a measured field a group reports.</summary>
[Flags]
public enum FieldStatistics { None = 0, Sum = 1, Minimum = 2, Maximum = 4, Average = 8, All = 15 }
