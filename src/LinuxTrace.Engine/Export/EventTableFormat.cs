using System.Text.Json;

namespace LinuxTrace.Engine.Export;

/// <summary>The text formats a stream of records can be written as, each row with the same columns.</summary>
public enum EventTableFormat { Csv, Json }
